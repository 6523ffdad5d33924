//! Hunting object stores (s3://, az://, gs://): the flags. Not built yet.

use clap::Args;

#[derive(Debug, Args)]
pub struct RemoteArgs {}
