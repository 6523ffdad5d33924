//! Sigma export of the pack's single-event signals (being built).

use std::io;
use std::path::Path;

use revertwatch_pack::Pack;

/// Writes one Sigma rule file per exported signal into `dir`; returns how many.
pub fn export(pack: &Pack, dir: &Path) -> io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let _ = pack;
    Ok(0)
}
