//! Background noise: admin activity and data access in realistic proportions.

mod admin;
mod iam;
mod reads;
