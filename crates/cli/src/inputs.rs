//! Turning the PATH arguments into a list of inputs: files, directories, stdin and
//! object-store URLs.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use revertwatch_source::StoreUrl;

use crate::remote_cmd::{self, RemoteArgs, RemoteObject};

#[derive(Debug)]
pub enum Input {
    Stdin,
    File(PathBuf),
    /// An object in S3, Azure Blob Storage or GCS.
    Object(RemoteObject),
    /// An object-store folder whose listing failed: reported as a skip with this reason.
    Unlisted {
        name: String,
        reason: String,
    },
}

impl Input {
    /// Bytes as stored, for the progress bar.
    pub fn stored_size(&self) -> u64 {
        match self {
            Input::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Input::Object(o) => o.size,
            Input::Stdin | Input::Unlisted { .. } => 0,
        }
    }
}

/// Local paths only, with the object-store flags at their defaults (URLs are listed whole).
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    expand_with(paths, &RemoteArgs::default(), &mut std::io::sink())
}

/// Expands directories recursively (sorted, so output never depends on directory order) and
/// lists object-store URLs (see [`remote_cmd::expand`]); `err` gets `--verbose` listing notes.
/// A path that does not exist is a usage error: better to stop than to hunt half the data.
pub fn expand_with(
    paths: &[PathBuf],
    remote: &RemoteArgs,
    err: &mut dyn std::io::Write,
) -> anyhow::Result<Vec<Input>> {
    let mut out = Vec::new();
    let mut urls = Vec::new();
    for path in paths {
        if let Some(url) = path.to_str().filter(|s| StoreUrl::looks_like_url(s)) {
            urls.push(url);
            continue;
        }
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
    let listed = remote_cmd::expand(&urls, remote, err)?;
    out.extend(listed.objects.into_iter().map(Input::Object));
    out.extend(
        listed
            .unlisted
            .into_iter()
            .map(|(name, reason)| Input::Unlisted { name, reason }),
    );
    if out.is_empty() {
        bail!("no files to hunt under {}", describe(paths));
    }
    Ok(out)
}

/// Every file under `dir`. An entry that cannot be followed (a symlink loop, a dangling link,
/// a folder that cannot be read) is an input of its own that reads as a skip with its reason:
/// reported, counted (exit 3), and the rest of the tree is still hunted.
fn walk(dir: &Path) -> anyhow::Result<Vec<Input>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(entry) if entry.file_type().is_file() => files.push(Input::File(entry.into_path())),
            Ok(_) => {}
            Err(e) => files.push(Input::Unlisted {
                name: e.path().unwrap_or(dir).display().to_string(),
                reason: walk_error(&e),
            }),
        }
    }
    Ok(files)
}

fn walk_error(e: &walkdir::Error) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return format!(
            "a symbolic link loop back to `{}`: not followed",
            ancestor.display()
        );
    }
    match e.io_error() {
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "a symbolic link to nothing (dangling): not followed".to_string()
        }
        Some(io) => format!("cannot read this entry: {io}"),
        None => e.to_string(),
    }
}

fn describe(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| {
            format!(
                "`{}`",
                revertwatch_report::escape::terminal(&p.display().to_string())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
