//! Turning the PATH arguments into a list of inputs.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

/// Expands directories recursively (sorted, so output never depends on directory order).
/// A path that does not exist is a usage error: better to stop than to hunt half the data.
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if meta.is_dir() {
            out.extend(walk(path)?);
        } else {
            out.push(Input::File(path.clone()));
        }
    }
    if out.is_empty() {
        bail!("no files to hunt under {}", describe(paths));
    }
    Ok(out)
}

fn walk(dir: &Path) -> anyhow::Result<Vec<Input>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.with_context(|| format!("cannot walk `{}`", dir.display()))?;
        if entry.file_type().is_file() {
            files.push(Input::File(entry.into_path()));
        }
    }
    Ok(files)
}

fn describe(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}
