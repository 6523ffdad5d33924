//! `revertwatch kit`: scenario scripts. Not built yet.

use clap::Args;

#[derive(Debug, Args)]
pub struct KitArgs {}

pub fn run(_args: KitArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`kit` is not built yet")
}
