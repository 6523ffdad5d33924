//! An incident's lineage as inline SVG: the resources its calls touched, in columns by kind
//! (snapshots and other sources, then volumes / disks / images, then instances / VMs), with an
//! edge for each call that joined two of them, labelled with the operation and the caller.
//!
//! The layout is deterministic (columns by kind, rows by first appearance), so the same
//! incident always draws the same picture.

use std::collections::HashMap;
use std::io::{self, Write};

use revertwatch_detect::{Evidence, Incident, RestoredFrom};
use revertwatch_normalize::format_time;

use super::markup::{short_operation, shorten, tail, Esc};

mod layout;

use layout::{endpoints, place_labels, Curve, Label, Layout, NODE_H, NODE_W};

/// The column a resource kind is drawn in: where it sits in snapshot → volume → instance.
fn column(kind: &str) -> usize {
    match kind {
        "snapshot" | "import-task" | "machine-image" => 0,
        "instance" | "vm" | "vmss" => 2,
        // volume, disk, image, restore-point, backup-item, and kinds a custom pack adds.
        _ => 1,
    }
}

struct Node<'a> {
    kind: &'a str,
    id: &'a str,
    column: usize,
    /// Operations of calls that touched this node and no node in another column.
    alone: Vec<&'a str>,
    any_success: bool,
    target: bool,
}

struct Link<'a> {
    from: usize,
    to: usize,
    calls: Vec<&'a Evidence>,
}

struct Lineage<'a> {
    nodes: Vec<Node<'a>>,
    links: Vec<Link<'a>>,
}

impl<'a> Lineage<'a> {
    fn of(incident: &'a Incident, calls: &[&'a Evidence]) -> Lineage<'a> {
        let mut lineage = Lineage {
            nodes: Vec::new(),
            links: Vec::new(),
        };
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for &call in calls {
            let ok = call.outcome != revertwatch_normalize::Outcome::Failure;
            let mut touched: Vec<usize> = Vec::new();
            for r in &call.resources {
                let key = (r.kind.clone(), r.id.to_lowercase());
                let n = *index.entry(key).or_insert_with(|| {
                    lineage.nodes.push(Node {
                        kind: &r.kind,
                        id: &r.id,
                        column: column(&r.kind),
                        alone: Vec::new(),
                        any_success: false,
                        target: r.id.eq_ignore_ascii_case(&incident.target),
                    });
                    lineage.nodes.len() - 1
                });
                lineage.nodes[n].any_success |= ok;
                if !touched.contains(&n) {
                    touched.push(n);
                }
            }
            let mut columns: Vec<usize> =
                touched.iter().map(|&n| lineage.nodes[n].column).collect();
            columns.sort_unstable();
            columns.dedup();
            if columns.len() < 2 {
                for &n in &touched {
                    let alone = &mut lineage.nodes[n].alone;
                    if !alone.contains(&call.operation.as_str()) {
                        alone.push(&call.operation);
                    }
                }
                continue;
            }
            // Each column's resources went into the next column's that the call names.
            let in_column = |c: usize| -> Vec<usize> {
                touched
                    .iter()
                    .copied()
                    .filter(|&n| lineage.nodes[n].column == c)
                    .collect()
            };
            let pairs: Vec<(usize, usize)> = columns
                .windows(2)
                .flat_map(|w| {
                    let targets = in_column(w[1]);
                    in_column(w[0])
                        .into_iter()
                        .flat_map(move |from| targets.clone().into_iter().map(move |to| (from, to)))
                })
                .collect();
            for (from, to) in pairs {
                lineage.link(from, to, call);
            }
        }
        lineage
    }

    fn link(&mut self, from: usize, to: usize, call: &'a Evidence) {
        match self.links.iter_mut().find(|l| l.from == from && l.to == to) {
            Some(l) => l.calls.push(call),
            None => self.links.push(Link {
                from,
                to,
                calls: vec![call],
            }),
        }
    }
}

/// Writes the incident's lineage graph as an `<svg>` element, or a note when its calls name no
/// resources.
pub fn write_svg(out: &mut dyn Write, incident: &Incident, calls: &[&Evidence]) -> io::Result<()> {
    let lineage = Lineage::of(incident, calls);
    if lineage.nodes.is_empty() {
        return writeln!(out, "<p class=\"muted\">The calls name no resources.</p>");
    }
    let layout = layout::layout(&lineage.nodes);
    let labels = place_labels(&lineage, &layout);
    let height = layout::height(&layout, &labels);
    writeln!(
        out,
        "<svg class=\"lineage\" viewBox=\"0 0 {w:.0} {height:.0}\" width=\"{w:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"Resource lineage of {id}\">",
        w = layout.width,
        id = Esc(&incident.incident_id),
    )?;
    for (link, label) in lineage.links.iter().zip(&labels) {
        write_link(out, &lineage, &layout, link, label)?;
    }
    for (node, &(x, y)) in lineage.nodes.iter().zip(&layout.at) {
        let restored = incident
            .restored_from
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(node.id));
        write_node(out, node, x, y, restored)?;
    }
    writeln!(out, "</svg>")?;
    write_revert_facts(out, incident)
}

/// Under the graph: what the revert restored from, how far back it went, and what it
/// destroyed.
fn write_revert_facts(out: &mut dyn Write, incident: &Incident) -> io::Result<()> {
    let facts = incident.revert_facts();
    if facts.is_empty() {
        return Ok(());
    }
    writeln!(out, "<ul class=\"revert-facts\">")?;
    for (label, fact) in facts {
        let class = if label == "evidence destroyed" {
            " class=\"destroyed\""
        } else {
            ""
        };
        writeln!(out, "<li{class}><b>{}</b> {}</li>", Esc(label), Esc(&fact))?;
    }
    writeln!(out, "</ul>")
}

fn write_link(
    out: &mut dyn Write,
    lineage: &Lineage,
    layout: &Layout,
    link: &Link,
    label: &Label,
) -> io::Result<()> {
    let failed = link
        .calls
        .iter()
        .all(|c| c.outcome == revertwatch_normalize::Outcome::Failure);
    let class = if failed { "edge failed" } else { "edge" };
    let marker = if failed {
        "rw-arrow-failed"
    } else {
        "rw-arrow"
    };
    let (from, to) = endpoints(layout, link);
    let Curve([p0, p1, p2, p3]) = Curve::between(from, to);
    write!(out, "<g class=\"{class}\"><title>")?;
    for (i, call) in link.calls.iter().enumerate() {
        if i > 0 {
            write!(out, "&#10;")?;
        }
        write!(
            out,
            "{} {} by {} ({}): {} {} \u{2192} {} {}",
            format_time(&call.time),
            Esc(&call.operation),
            Esc(&call.actor),
            Esc(call.outcome.as_str()),
            Esc(lineage.nodes[link.from].kind),
            Esc(lineage.nodes[link.from].id),
            Esc(lineage.nodes[link.to].kind),
            Esc(lineage.nodes[link.to].id),
        )?;
    }
    writeln!(
        out,
        "</title><path d=\"M{:.1} {:.1} C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}\" marker-end=\"url(#{marker})\"/>",
        p0.0, p0.1, p1.0, p1.1, p2.0, p2.1, p3.0, p3.1
    )?;
    writeln!(
        out,
        "<text class=\"edge-op\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\">{ops}</text><text class=\"edge-actor\" x=\"{x:.1}\" y=\"{y2:.1}\" text-anchor=\"middle\">{actors}</text></g>",
        x = label.x,
        y = label.y - 3.0,
        y2 = label.y + 10.0,
        ops = Esc(&label.operations),
        actors = Esc(&label.actors),
    )
}

fn write_node(
    out: &mut dyn Write,
    node: &Node,
    x: f64,
    y: f64,
    restored: Option<&RestoredFrom>,
) -> io::Result<()> {
    let mut class = String::from("node");
    if node.target {
        class.push_str(" target");
    }
    if !node.any_success {
        class.push_str(" failed");
    }
    write!(
        out,
        "<g class=\"{class}\"><title>{} {}",
        Esc(node.kind),
        Esc(node.id)
    )?;
    if node.target {
        write!(out, " (incident target)")?;
    }
    if !node.alone.is_empty() {
        write!(out, "&#10;{}", Esc(&node.alone.join(", ")))?;
    }
    if let Some(r) = restored {
        write!(out, "&#10;restored from: {}", Esc(&r.describe()))?;
    }
    writeln!(
        out,
        "</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"8\"/>"
    )?;
    writeln!(
        out,
        "<text class=\"node-kind\" x=\"{:.1}\" y=\"{:.1}\">{}</text><text class=\"node-id\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
        x + 12.0,
        y + 17.0,
        Esc(&node.kind.to_uppercase()),
        x + 12.0,
        y + 35.0,
        Esc(&shorten(tail(node.id), 29)),
    )?;
    if !node.alone.is_empty() {
        writeln!(
            out,
            "<text class=\"node-ops\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 2.0,
            y + NODE_H + 14.0,
            Esc(&operations_line(&node.alone)),
        )?;
    }
    writeln!(out, "</g>")
}

/// The operations under a node, as many whole names as fit and a count of the rest.
fn operations_line(ops: &[&str]) -> String {
    const FITS: usize = 40;
    let mut line = String::new();
    for (i, op) in ops.iter().enumerate() {
        let op = short_operation(op);
        let more = format!(" +{}", ops.len() - i);
        let sep = if line.is_empty() { "" } else { ", " };
        if line.chars().count() + sep.len() + op.chars().count() > FITS {
            if line.is_empty() {
                return shorten(op, FITS);
            }
            line.push_str(&more);
            return line;
        }
        line.push_str(sep);
        line.push_str(op);
    }
    line
}

/// The arrowheads every lineage graph refers to, defined once per document.
pub fn write_defs(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>\
<marker id=\"rw-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"arrow\" d=\"M0 0 L10 5 L0 10 z\"/></marker>\
<marker id=\"rw-arrow-failed\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"arrow failed\" d=\"M0 0 L10 5 L0 10 z\"/></marker>\
</defs></svg>"
    )
}
