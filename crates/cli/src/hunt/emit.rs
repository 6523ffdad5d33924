//! The last stage of a hunt: tuning, the output in its format and view, HEC delivery, the
//! summary line and the exit code.

use std::io::{self, Write};

use anyhow::Context;
use revertwatch_detect::{seed_spl, Detection, EventRow, Incident, Severity};
use revertwatch_normalize::{ApiCall, Outcome};
use revertwatch_pack::Pack;
use revertwatch_tuning::apply;

use super::plan::{HuntPlan, Output};
use super::Found;
use crate::args::View;
use crate::packs::Profile;
use crate::pipeline;
use crate::summary::Summary;

/// Writes what the hunt found and returns the exit code.
pub fn emit(plan: HuntPlan, found: Found, mut summary: Summary) -> anyhow::Result<i32> {
    let mut out = plan.open_output()?;
    let (written, worst) = match &plan.profile {
        Profile::SeedSpl => {
            let rows = seed_spl::rows(&found.calls);
            summary.seed_rows = Some(rows.len());
            let worst = (!rows.is_empty()).then_some(Severity::Review);
            let writer = plan.output.format.output(plan.output.colour);
            (writer.events(&mut out, &rows), worst)
        }
        Profile::Pack(pack) => {
            let (calls, detection) = detected(found, pack, &plan);
            let Detection {
                mut incidents,
                events,
            } = detection;
            let applied = apply(
                &mut incidents,
                &plan.tuning,
                chrono::Utc::now().date_naive(),
            );
            summary.add_tuning(&applied);
            let worst = count(&mut summary, &incidents);
            if let Some(wanted) = &plan.output.explain {
                crate::explain_cmd::write(&mut out, wanted, &incidents, &calls)?;
                out.flush().context("cannot write output")?;
                return Ok(0);
            }
            // Before the listing is cut: the HEC gets what jsonl prints, suppressed ones too.
            if let Some(hec) = &plan.hec {
                let line = hec.send(&incidents, plan.output.show_failed)?;
                if !plan.quiet {
                    writeln!(io::stderr(), "revertwatch: {line}")?;
                }
            }
            let written = write_view(&mut out, &plan.output, incidents, events, &calls);
            (written, worst)
        }
    };
    match written.and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(0),
        other => other.context("cannot write output")?,
    }
    if !plan.quiet {
        writeln!(io::stderr(), "{summary}")?;
    }
    Ok(match (plan.fail_on, worst) {
        (Some(t), Some(w)) if w >= t => 1,
        _ if summary.skipped_records > 0 && !plan.allow_skips => 3,
        _ => 0,
    })
}

/// The detection made as the hunt read, or one over every call held.
fn detected(found: Found, pack: &Pack, plan: &HuntPlan) -> (Vec<ApiCall>, Detection) {
    match found.detection {
        Some(detection) => (found.calls, detection),
        None => pipeline::detect_incidents(found.calls, pack, plan.window),
    }
}

/// Counts incidents by severity (the suppressed apart) and returns the worst one shown.
fn count(summary: &mut Summary, incidents: &[Incident]) -> Option<Severity> {
    let mut worst = None;
    for i in incidents.iter().filter(|i| i.suppressed_by.is_none()) {
        match i.severity {
            Severity::Escalate => summary.escalate += 1,
            Severity::Review => summary.review += 1,
            Severity::Info => summary.info += 1,
            Severity::None => summary.failed_only += 1,
        }
        if i.severity > Severity::Info {
            worst = worst.max(Some(i.severity));
        }
    }
    worst
}

fn write_view(
    out: &mut dyn Write,
    output: &Output,
    mut incidents: Vec<Incident>,
    mut rows: Vec<EventRow>,
    calls: &[ApiCall],
) -> io::Result<()> {
    incidents.retain(|i| {
        (output.show_failed || i.severity > Severity::None)
            && !(output.hide_suppressed && i.suppressed_by.is_some())
            && !(output.hide_routine && i.severity == Severity::Info)
    });
    let writer = output.format.output(output.colour);
    match output.view {
        View::Calls => write_calls(out, calls),
        View::Incidents => writer.incidents(out, &incidents),
        View::Events => {
            for row in &mut rows {
                if let Some(i) = incidents
                    .iter()
                    .find(|i| Some(&i.incident_id) == row.incident_id.as_ref())
                {
                    row.suppressed_by = i.suppressed_by.clone();
                }
            }
            let shown: Vec<&str> = incidents.iter().map(|i| i.incident_id.as_str()).collect();
            rows.retain(|r| {
                (output.show_failed || r.outcome != Outcome::Failure)
                    && r.incident_id
                        .as_deref()
                        .is_some_and(|id| shown.contains(&id))
            });
            writer.events(out, &rows)
        }
    }
}

fn write_calls(out: &mut dyn Write, calls: &[ApiCall]) -> io::Result<()> {
    for call in calls {
        revertwatch_report::escape::json::to_writer(&mut *out, call)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
