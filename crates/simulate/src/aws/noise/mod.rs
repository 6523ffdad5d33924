//! Background noise: everyday AWS calls in the proportions of real trails.

mod ec2;
mod identity;
mod other;
mod s3;
