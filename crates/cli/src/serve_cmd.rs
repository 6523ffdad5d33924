//! `revertwatch serve`. Not built yet.

use clap::Args;

#[derive(Debug, Args)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`serve` is not built yet")
}
