//! Every resource a script creates is deleted by its cleanup: read from the rendered text, as a
//! reviewer would check it. This is the check that holds for the Azure and GCP scripts, whose
//! CLIs have no emulator to run them against (the AWS scripts also run for real, against moto,
//! in crates/cli/tests/kit.rs).

mod support;

use revertwatch_kit::Provider;
use support::{function_body, logical_lines, scripts, steps_part};

/// The words of a logical line, with one level of double quotes kept as written.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The value of `--flag` on a line, as written (quotes included).
fn flag<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let w = words(line);
    w.iter()
        .position(|x| *x == name)
        .and_then(|i| w.get(i + 1).copied())
}

/// Lines that run `<cli> ... <verb>` where one of the words equals `verb`, for the commands of
/// the steps (not the helpers).
fn commands<'a>(lines: &'a [String], cli: &str) -> Vec<&'a String> {
    lines
        .iter()
        .filter(|l| {
            let w = words(l);
            w.contains(&cli)
        })
        .collect()
}

#[test]
fn aws_every_create_is_tagged_and_swept() {
    // resource-creating subcommands, and the tag specifications each must carry
    let creates: &[(&str, &[&str])] = &[
        ("run-instances", &["\"$TAGS_INSTANCE\"", "\"$TAGS_VOLUME\""]),
        ("create-volume", &["\"$TAGS_VOLUME\""]),
        ("create-snapshot", &["\"$TAGS_SNAPSHOT\""]),
        ("register-image", &["\"$TAGS_IMAGE\""]),
    ];
    let mut seen = 0;
    for (plan, text) in scripts() {
        if plan.cloud != Provider::Aws {
            continue;
        }
        let lines = logical_lines(steps_part(&text));
        for line in commands(&lines, "aws") {
            let w = words(line);
            let Some(sub) = w.iter().skip_while(|x| **x != "ec2").nth(1) else {
                continue;
            };
            // create-tags labels what exists; every other create makes a resource
            let creating = *sub != "create-tags"
                && ["run-", "create-", "register-", "copy-", "import-"]
                    .iter()
                    .any(|p| sub.starts_with(p));
            if !creating {
                continue;
            }
            let (_, tags) = creates
                .iter()
                .find(|(c, _)| c == sub)
                .unwrap_or_else(|| panic!("{plan:?}: `{sub}` creates something this test does not know: add it here and to the sweep"));
            for tag in *tags {
                assert!(
                    line.contains("--tag-specifications ") && line.contains(tag),
                    "{}: `{sub}` is not tagged with {tag}: {line}",
                    plan.scenario
                );
            }
            seen += 1;
        }
        let sweep = function_body(&text, "sweep");
        for (kind, list, delete) in [
            ("instance", "describe-instances", "terminate-instances"),
            ("image", "describe-images", "deregister-image"),
            ("volume", "describe-volumes", "delete-volume"),
            ("snapshot", "describe-snapshots", "delete-snapshot"),
        ] {
            let listed = logical_lines(sweep)
                .iter()
                .any(|l| l.contains(list) && l.contains("--filters \"$FILTER\""));
            assert!(listed, "the sweep does not list {kind}s by the run's tag");
            assert!(sweep.contains(delete), "the sweep does not {delete}");
        }
        // images before snapshots (an AMI holds its snapshot), instances before volumes
        let at = |s: &str| sweep.find(s).unwrap();
        assert!(at("terminate-instances") < at("delete-volume"));
        assert!(at("deregister-image") < at("delete-snapshot"));
        assert!(text.contains("FILTER=\"Name=tag:$TAG_KEY,Values=$RUN_ID\""));
        for ty in ["instance", "volume", "snapshot", "image"] {
            let var = format!(
                "TAGS_{}=\"ResourceType={ty},Tags=[$TAGS]\"",
                ty.to_uppercase()
            );
            assert!(text.contains(&var), "missing {var}");
        }
        assert!(text.contains("TAGS=\"{Key=$TAG_KEY,Value=$RUN_ID},"));
    }
    // 1 + 3 + 3 + 4 + 3 over the five scenarios: none was skipped by the parsing
    assert_eq!(seen, 14, "creating calls checked");
}

#[test]
fn azure_every_create_is_in_the_run_group_which_the_cleanup_deletes() {
    let mut seen = 0;
    for (plan, text) in scripts() {
        if plan.cloud != Provider::Azure {
            continue;
        }
        let lines = logical_lines(steps_part(&text));
        let mut group_created = false;
        for line in commands(&lines, "az") {
            let w = words(line);
            let Some(at) = w.iter().position(|x| *x == "az") else {
                continue;
            };
            // `az <noun...> create --...`
            let creating = w[at + 1..]
                .iter()
                .take_while(|x| !x.starts_with("--"))
                .any(|x| *x == "create");
            if !creating {
                continue;
            }
            seen += 1;
            assert_eq!(
                flag(line, "--tags"),
                Some("\"$TAG\""),
                "{}: not tagged: {line}",
                plan.scenario
            );
            if w[at + 1] == "group" {
                assert_eq!(flag(line, "--name"), Some("\"$RG\""), "{line}");
                group_created = true;
            } else {
                assert!(
                    group_created,
                    "{}: created before its group: {line}",
                    plan.scenario
                );
                assert_eq!(
                    flag(line, "--resource-group"),
                    Some("\"$RG\""),
                    "{}: outside the run's resource group: {line}",
                    plan.scenario
                );
            }
        }
        assert!(group_created, "{}: no resource group", plan.scenario);
        let sweep = logical_lines(function_body(&text, "sweep"));
        assert!(
            sweep
                .iter()
                .any(|l| l.contains("run az group delete --name \"$RG\" --yes")),
            "the cleanup does not delete the run's group"
        );
        assert!(
            sweep
                .iter()
                .any(|l| l.contains("az resource list --tag \"$TAG\"")),
            "the cleanup does not sweep tagged strays"
        );
        assert!(text.contains("TAG=\"$TAG_KEY=$RUN_ID\""));
        assert!(text.contains("RG=\"rg-$RUN_ID\""));
    }
    // 2 + 4 + 4 + 5 + 4 over the five scenarios
    assert_eq!(seen, 19, "creating calls checked");
}

#[test]
fn gcp_every_create_is_labelled_and_swept() {
    let mut seen = 0;
    for (plan, text) in scripts() {
        if plan.cloud != Provider::Gcp {
            continue;
        }
        let lines = logical_lines(steps_part(&text));
        let sweep_text = function_body(&text, "sweep");
        let sweep = logical_lines(sweep_text);
        for (i, line) in commands(&lines, "gcloud").into_iter().enumerate() {
            let w = words(line);
            let Some(at) = w.iter().position(|x| *x == "compute") else {
                continue;
            };
            if w.get(at + 2) != Some(&"create") {
                continue;
            }
            seen += 1;
            let kind = w[at + 1];
            let name = w[at + 3];
            assert_eq!(
                flag(line, "--labels"),
                Some("\"$LABELS\""),
                "{}: not labelled: {line}",
                plan.scenario
            );
            assert!(
                sweep
                    .iter()
                    .any(|l| l.contains(&format!("gcloud compute {kind} list"))
                        && l.contains("--filter \"$LABEL_FILTER\"")),
                "the sweep does not list {kind} by label"
            );
            assert!(
                sweep
                    .iter()
                    .any(|l| l.contains(&format!("run gcloud compute {kind} delete"))),
                "the sweep does not delete {kind}"
            );
            if kind == "instances" {
                // the boot disk is named after the instance and is not labelled by `create`
                let labelled = lines.iter().skip(i).any(|l| {
                    l.contains(&format!("gcloud compute disks add-labels {name} "))
                        && l.contains("--labels \"$LABELS\"")
                });
                assert!(
                    labelled,
                    "{}: the boot disk of {name} is never labelled",
                    plan.scenario
                );
            }
        }
        let at = |s: &str| sweep_text.find(s).unwrap();
        assert!(at("instances delete") < at("disks delete"));
        assert!(text.contains("LABEL_FILTER=\"labels.$LABEL_KEY=$RUN_ID\""));
        assert!(text.contains("LABELS=\"$LABEL_KEY=$RUN_ID\""));
    }
    // 1 + 3 + 3 + 4 + 3 over the five scenarios
    assert_eq!(seen, 14, "creating calls checked");
}

#[test]
fn the_only_values_written_in_are_the_run_id_and_region() {
    for (plan, text) in scripts() {
        for line in text.lines() {
            for var in ["RUN_ID=", "REGION=", "LOCATION=", "ZONE="] {
                if let Some(value) = line.strip_prefix(var) {
                    assert!(
                        value.starts_with('\'') && value.ends_with('\'') && value.len() > 2,
                        "{}: {line}",
                        plan.scenario
                    );
                }
            }
        }
        // details are written inside double quotes: nothing in them may end the quote or run
        for (_, t) in plan.telemetry() {
            for bad in ['"', '`', '\\'] {
                assert!(!t.detail.contains(bad), "{:?}", t.detail);
            }
            assert!(!t.detail.contains("$("), "{:?}", t.detail);
        }
    }
}
