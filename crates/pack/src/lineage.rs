//! How many lineage hops a pack's edges can chain before they reach a compute target.
//!
//! Detection follows at most that many hops from a call's subject to an instance or VM, and
//! the time-ordered detector holds calls for one window per hop (plus one): the two numbers
//! must be the same number, so it is computed here once, from the pack, and a pack whose
//! chains would be longer than [`MAX_LINEAGE_HOPS`] is refused at load with the line of the
//! entry that makes them so.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::PackError;
use crate::model::{Entry, Pack, TAKEN_OF};

/// The most hops a pack may chain. The default pack's longest chain is a snapshot copied,
/// made into an image or volume, then launched or attached (three hops); one more leaves room
/// for a user's `--add-rules` without letting held state grow without bound.
pub const MAX_LINEAGE_HOPS: usize = 4;

/// A kind-level edge: from kind, to kind, and the line of the entry that declares it.
type KindEdge = (String, String, usize);

/// The longest chain of edges, counted in hops over distinct resource kinds, that ends at a
/// compute kind, with the line of the entry of its first hop (None when no edge reaches one).
/// Lengths past [`MAX_LINEAGE_HOPS`] + 1 are not told apart.
pub(crate) fn longest_chain(pack: &Pack) -> (usize, Option<usize>) {
    let edges = kind_edges(&pack.entries);
    let mut into: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
    for (from, to, line) in &edges {
        into.entry(to.as_str()).or_default().push((from, *line));
    }
    let mut best = (0, None);
    for kind in &pack.compute_kinds {
        let mut seen = BTreeSet::from([kind.as_str()]);
        let found = deepest(
            &into,
            kind,
            &mut seen,
            &pack.compute_kinds,
            MAX_LINEAGE_HOPS + 1,
        );
        if found.0 > best.0 {
            best = found;
        }
    }
    best
}

/// Walks edges backwards from `kind` over kinds not yet on the path: a copy (snapshot →
/// snapshot) is a cycle, and a cycle adds no hop that a simple chain does not already count.
fn deepest<'a>(
    into: &BTreeMap<&'a str, Vec<(&'a str, usize)>>,
    kind: &'a str,
    seen: &mut BTreeSet<&'a str>,
    compute: &[String],
    budget: usize,
) -> (usize, Option<usize>) {
    let mut best = (0, None);
    // Past the limit the exact length no longer matters, and a hostile pack's kind graph
    // could make an exhaustive walk exponential.
    if budget == 0 {
        return best;
    }
    for &(from, line) in into.get(kind).into_iter().flatten() {
        if seen.contains(from) {
            continue;
        }
        // Lineage does not run on through an instance: a chain starts at most at one.
        let found = if compute.iter().any(|c| c == from) {
            (1, Some(line))
        } else {
            seen.insert(from);
            let (hops, first) = deepest(into, from, seen, compute, budget - 1);
            seen.remove(from);
            (hops + 1, first.or(Some(line)))
        };
        if found.0 > best.0 {
            best = found;
        }
    }
    best
}

impl Pack {
    /// Refuses a pack whose edges chain more hops than detection and its horizon assume.
    pub(crate) fn check_lineage(&mut self) -> Result<(), PackError> {
        let (hops, line) = longest_chain(self);
        if hops <= MAX_LINEAGE_HOPS {
            self.lineage_hops = hops;
            return Ok(());
        }
        let line = line.unwrap_or(1);
        let operation = self
            .entries
            .iter()
            .find(|e| e.line == line)
            .map(|e| e.name.clone())
            .unwrap_or_default();
        Err(PackError::Invalid {
            file: self.source.clone().into(),
            line,
            operation,
            message: format!(
                "its edges start a lineage chain of {hops} hops or more to a compute target; detection follows at most {} (each hop is a window of state held)",
                MAX_LINEAGE_HOPS
            ),
        })
    }
}

fn kind_edges(entries: &[Entry]) -> Vec<KindEdge> {
    let mut out = Vec::new();
    for e in entries {
        // What a snapshot was taken of is provenance that detection never walks.
        for edge in e.edges.iter().filter(|edge| edge.relation != TAKEN_OF) {
            let (Some(from), Some(to)) = (e.resources.get(&edge.from), e.resources.get(&edge.to))
            else {
                continue;
            };
            out.push((from.kind.clone(), to.kind.clone(), e.line));
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load_default, load_str};
    use std::path::Path;

    #[test]
    fn the_default_pack_chains_within_the_limit() {
        let (hops, _) = longest_chain(&load_default());
        assert!((2..=MAX_LINEAGE_HOPS).contains(&hops), "{hops}");
    }

    /// A snapshot made into an image, the image into a disk or a launch template, and that
    /// onto a machine: the GCP and Azure image chains and AWS launch templates.
    #[test]
    fn the_default_pack_chains_snapshot_image_disk_machine() {
        assert_eq!(longest_chain(&load_default()).0, 3);
    }

    #[test]
    fn a_pack_whose_chains_are_too_long_is_refused_with_its_line() {
        let mut text = String::from("compute_kinds = [\"f\"]\n\n");
        let kinds = ["a", "b", "c", "d", "e", "f"];
        for pair in kinds.windows(2) {
            text.push_str(&format!(
                "[[operation]]\nprovider = \"aws\"\nname = \"Make{1}\"\nsignal = \"link\"\nsubject = \"to\"\nresources.from = {{ kind = \"{0}\", path = \"request.f\" }}\nresources.to = {{ kind = \"{1}\", path = \"request.t\" }}\nedges = [{{ from = \"from\", to = \"to\", relation = \"made\" }}]\n\n",
                pair[0], pair[1]
            ));
        }
        let err = load_str(&text, Path::new("long.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("long.toml:3: operation `Makeb`"), "{err}");
        assert!(err.contains("5 hops"), "{err}");
    }
}
