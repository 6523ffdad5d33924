//! Where things go: nodes in columns by kind and rows by first appearance, edges as curves,
//! and edge labels placed so that they do not overlap.

use super::{Lineage, Link, Node};
use crate::html::markup::{short_actor, short_operation, shorten};

pub(super) const NODE_W: f64 = 236.0;
pub(super) const NODE_H: f64 = 46.0;
/// Horizontal room between columns: an edge label of `LABEL_CHARS` fits in it.
const GAP: f64 = 214.0;
/// Vertical distance between node tops: the node, its operations line, and air.
const PITCH: f64 = 82.0;
const PAD: f64 = 18.0;
const LABEL_CHARS: usize = 30;
const LABEL_H: f64 = 30.0;

/// Where each node sits: its top-left corner.
pub(super) struct Layout {
    pub(super) at: Vec<(f64, f64)>,
    pub(super) width: f64,
    pub(super) height: f64,
}

pub(super) fn layout(nodes: &[Node]) -> Layout {
    let mut used: Vec<usize> = nodes.iter().map(|n| n.column).collect();
    used.sort_unstable();
    used.dedup();
    let rows = |c: usize| nodes.iter().filter(|n| n.column == c).count();
    let tallest = used.iter().map(|&c| rows(c)).max().unwrap_or(0);
    let mut next_row = [0usize; 3];
    let at = nodes
        .iter()
        .map(|n| {
            let slot = used.iter().position(|&c| c == n.column).unwrap_or(0);
            let centre = (tallest - rows(n.column)) as f64 * PITCH / 2.0;
            let row = next_row[n.column];
            next_row[n.column] += 1;
            (
                PAD + slot as f64 * (NODE_W + GAP),
                PAD + centre + row as f64 * PITCH,
            )
        })
        .collect();
    let slots = used.len().max(1) as f64;
    Layout {
        at,
        width: 2.0 * PAD + slots * NODE_W + (slots - 1.0) * GAP,
        height: 2.0 * PAD + (tallest.max(1) as f64 - 1.0) * PITCH + NODE_H + 18.0,
    }
}

/// The cubic Bézier of an edge, left to right, with horizontal tangents at both ends.
pub(super) struct Curve(pub(super) [(f64, f64); 4]);

impl Curve {
    pub(super) fn between(from: (f64, f64), to: (f64, f64)) -> Curve {
        let c = (to.0 - from.0) / 2.0;
        Curve([from, (from.0 + c, from.1), (to.0 - c, to.1), to])
    }

    fn point(&self, t: f64) -> (f64, f64) {
        let [p0, p1, p2, p3] = self.0;
        let u = 1.0 - t;
        let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
        (
            a * p0.0 + b * p1.0 + c * p2.0 + d * p3.0,
            a * p0.1 + b * p1.1 + c * p2.1 + d * p3.1,
        )
    }

    /// The point where the curve crosses `x` (x grows along the curve, so bisection finds it).
    fn at_x(&self, x: f64) -> (f64, f64) {
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..40 {
            let mid = (lo + hi) / 2.0;
            if self.point(mid).0 < x {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.point((lo + hi) / 2.0)
    }
}

pub(super) struct Label {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) operations: String,
    pub(super) actors: String,
}

pub(super) fn endpoints(layout: &Layout, link: &Link) -> ((f64, f64), (f64, f64)) {
    let (fx, fy) = layout.at[link.from];
    let (tx, ty) = layout.at[link.to];
    (
        (fx + NODE_W, fy + NODE_H / 2.0),
        (tx - 4.0, ty + NODE_H / 2.0),
    )
}

/// Each label sits on its edge in the gap just left of the edge's target; labels that would
/// overlap in the same gap are pushed down.
pub(super) fn place_labels(lineage: &Lineage, layout: &Layout) -> Vec<Label> {
    let mut labels: Vec<Label> = lineage
        .links
        .iter()
        .map(|link| {
            let (from, to) = endpoints(layout, link);
            let gap_centre = layout.at[link.to].0 - GAP / 2.0;
            let (_, y) = Curve::between(from, to).at_x(gap_centre);
            let x = gap_centre;
            let mut operations: Vec<&str> = Vec::new();
            let mut actors: Vec<&str> = Vec::new();
            for call in &link.calls {
                let op = short_operation(&call.operation);
                if !operations.contains(&op) {
                    operations.push(op);
                }
                let actor = short_actor(&call.actor);
                if !actors.contains(&actor) {
                    actors.push(actor);
                }
            }
            Label {
                x,
                y,
                operations: shorten(&operations.join(", "), LABEL_CHARS),
                actors: shorten(&actors.join(", "), LABEL_CHARS),
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| {
        (labels[a].x, labels[a].y)
            .partial_cmp(&(labels[b].x, labels[b].y))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for pair in 1..order.len() {
        let (prev, this) = (order[pair - 1], order[pair]);
        if labels[prev].x == labels[this].x && labels[this].y < labels[prev].y + LABEL_H {
            labels[this].y = labels[prev].y + LABEL_H;
        }
    }
    labels
}

/// The drawing's height: the tallest column, or the lowest label when labels were pushed down.
pub(super) fn height(layout: &Layout, labels: &[Label]) -> f64 {
    labels
        .iter()
        .map(|l| l.y + LABEL_H / 2.0 + PAD)
        .fold(layout.height, f64::max)
}
