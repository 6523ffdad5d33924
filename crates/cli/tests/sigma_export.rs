//! `revertwatch rules export --format sigma`: the pack's scoring entries as Sigma rules, checked
//! with the reference tooling (sigma-cli / pySigma, installed by `scripts/ensure-sigma`) and
//! converted to Splunk SPL.
//!
//! `sigma check` runs every pySigma validator but `attacktag` and `d3_fendtag`: those download
//! the MITRE ATT&CK and D3FEND catalogues at run time, and the test machines reach no network
//! but the package registries. The two tags we write are constants, checked here instead.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use revertwatch_pack::Signal;

/// The venv's bin dir, installing sigma-cli on first use; panics with the script's reasons.
fn sigma_tools() -> PathBuf {
    let bin = support::ensure_tool("ensure-sigma", "the Sigma export test");
    assert!(bin.join("sigma").is_file(), "no sigma in {}", bin.display());
    bin
}

struct Tool {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(program: &Path, args: &[&str]) -> Tool {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    Tool {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `sigma check` without the two validators that need the network; panics unless it passes.
fn sigma_check(tools: &Path, dir: &Path, fail_on_issues: bool) -> String {
    let dir = dir.to_str().unwrap();
    let mut args = vec!["check", "-x", "attacktag", "-x", "d3_fendtag"];
    if fail_on_issues {
        args.push("--fail-on-issues");
    }
    args.push(dir);
    let check = run(&tools.join("sigma"), &args);
    assert!(
        check.ok && check.stdout.contains("Found 0 errors, 0 condition errors"),
        "sigma check rejected the export\n--- stdout\n{}\n--- stderr\n{}",
        check.stdout,
        check.stderr
    );
    check.stdout
}

/// `sigma convert -t splunk`: the backend has pipelines only for Windows and the CIM data
/// models, so cloud rules convert without one, on the raw field names they name.
fn sigma_to_splunk(tools: &Path, dir: &Path) -> String {
    let convert = run(
        &tools.join("sigma"),
        &[
            "convert",
            "-t",
            "splunk",
            "--without-pipeline",
            dir.to_str().unwrap(),
        ],
    );
    assert!(
        convert.ok,
        "sigma convert failed\n--- stdout\n{}\n--- stderr\n{}",
        convert.stdout, convert.stderr
    );
    convert.stdout
}

fn export(args: &[&str], dir: &Path) -> String {
    let mut all = vec!["rules"];
    all.extend_from_slice(args);
    all.extend(["export", "--format", "sigma", dir.to_str().unwrap()]);
    let run = support::revertwatch(&all, None);
    run.expect_code(0);
    run.stderr
}

fn yml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".yml"))
        .collect();
    names.sort();
    names
}

#[test]
fn default_pack_exports_sigma_that_pysigma_accepts_and_converts_to_splunk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sigma");
    let stderr = export(&[], &dir);

    let pack = revertwatch_pack::load_default();
    let scoring = pack
        .entries
        .iter()
        .filter(|e| e.signal != Signal::Link)
        .count();
    assert!(
        scoring > 20,
        "the default pack has {scoring} scoring entries"
    );
    let files = yml_files(&dir);
    assert_eq!(
        files.len(),
        scoring,
        "one rule per scoring entry: {files:#?}"
    );
    assert!(
        stderr.contains(&format!("wrote {scoring} Sigma rules")),
        "{stderr}"
    );
    for provider in ["aws_", "azure_", "gcp_"] {
        assert!(files.iter().any(|f| f.starts_with(provider)), "{files:#?}");
    }
    for f in &files {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(
            text.contains("    - attack.defense-evasion\n    - attack.t1578.004\n"),
            "{f}: tags\n{text}"
        );
    }

    // The same pack writes the same bytes.
    let again = tmp.path().join("again");
    export(&[], &again);
    for f in &files {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs between two exports"
        );
    }

    let tools = sigma_tools();
    let check = sigma_check(&tools, &dir, true);
    assert!(check.contains("and 0 issues"), "{check}");

    let spl = sigma_to_splunk(&tools, &dir);
    let queries: Vec<&str> = spl.split("\n\n").filter(|q| !q.trim().is_empty()).collect();
    assert_eq!(queries.len(), scoring, "one SPL query per rule:\n{spl}");
    for want in [
        r#"eventSource="ec2.amazonaws.com" eventName="StopInstances" NOT errorCode="*""#,
        r#"eventName="CreateVolume" requestParameters.snapshotId="*" OR requestParameters.CreateVolumeRequest.SnapshotId="*""#,
        r#"operationName="Microsoft.Compute/disks/write" properties.requestbody IN ("*\"createOption\":\"Copy\"*""#,
        r#"gcp.audit.method_name="*compute.disks.insert" gcp.audit.request.sourceSnapshot="*""#,
        r#"gcp.audit.method_name="*compute.instances.stop""#,
    ] {
        assert!(spl.contains(want), "SPL lacks {want}\n{spl}");
    }
}

/// Pack strings are data: quotes, colons, `#`, line breaks, control and bidi characters and
/// Sigma wildcards in a user's pack must come back from a YAML parser exactly, and match
/// literally in the converted query.
#[test]
fn hostile_pack_strings_survive_export_as_data() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("odd.toml");
    std::fs::write(
        &pack,
        r#"
[[operation]]
provider = "aws"
name = "Create\"Volume: #1 *x?"
signal = "ephemeral_reset"
when = [{ path = "request.snapshotId", any_of = ["it's: \"q\" \\ *"] }]
description = "Line one: \"quoted\" # not a comment\nline two \u202e \u0085 \u007f \u2028 end"
subject = "volume"
resources.volume = { kind = "volume", path = "response.volumeId" }
"#,
    )
    .unwrap();
    let dir = tmp.path().join("sigma");
    export(&["--rules", pack.to_str().unwrap()], &dir);
    let files = yml_files(&dir);
    assert_eq!(files, ["aws_create_volume_1_x_1.yml"]);

    let tools = sigma_tools();
    // The escaped `*` is reported as a (deliberate) escaped wildcard: an issue, not an error.
    sigma_check(&tools, &dir, false);

    let file = dir.join(&files[0]);
    let parsed = run(
        &tools.join("python"),
        &[
            "-c",
            "import json, sys, yaml; r = yaml.safe_load(open(sys.argv[1], encoding='utf-8')); \
             print(json.dumps([r['title'], r['description'], r['detection']['selection']['eventName'], r['level']]))",
            file.to_str().unwrap(),
        ],
    );
    assert!(parsed.ok, "PyYAML cannot read the rule: {}", parsed.stderr);
    let fields: Vec<String> = serde_json::from_str(parsed.stdout.trim()).unwrap();
    assert_eq!(
        fields[0],
        "Cloud Instance Revert Step - AWS Create\"Volume: #1 *x? (ephemeral reset)"
    );
    assert!(
        fields[1].starts_with(
            "Line one: \"quoted\" # not a comment\nline two \u{202e} \u{85} \u{7f} \u{2028} end "
        ),
        "{:?}",
        fields[1]
    );
    assert_eq!(fields[2], r#"Create"Volume: #1 \*x\?"#);
    assert_eq!(fields[3], "low");

    let spl = sigma_to_splunk(&tools, &dir);
    assert!(
        spl.contains(r#"eventName="Create\"Volume: #1 \*x?""#)
            && spl.contains(r#"requestParameters.snapshotId="it's: \"q\" \\ \*""#),
        "{spl}"
    );
}
