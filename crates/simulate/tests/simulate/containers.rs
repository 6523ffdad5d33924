//! Every file parses in its container, and its records have the shape of their cloud.

use std::collections::{HashMap, HashSet};

use super::*;

/// What the checks of single files count, for the checks of the whole corpus.
#[derive(Default)]
struct Tally {
    seen: HashMap<Container, usize>,
    unordered_s3: usize,
    ids: HashSet<String>,
    upper: usize,
    eh: usize,
    az_ops: HashMap<String, Vec<String>>,
    gcp_ops: HashMap<String, Vec<&'static str>>,
}

#[test]
fn every_file_parses_in_its_container() {
    let c = corpus();
    let mut t = Tally::default();
    for (rel, bytes) in &c.files {
        let container = container_of(rel).unwrap();
        *t.seen.entry(container).or_default() += 1;
        let recs = records(rel, bytes);
        assert!(!recs.is_empty(), "{rel}: empty");
        match container {
            Container::AwsS3Gz | Container::AwsJsonl => aws(&mut t, rel, container, &recs),
            Container::AzureEventHub => event_hub(&mut t, rel, &recs),
            Container::AzureRest => rest(&mut t, rel, bytes, &recs),
            Container::GcpJsonl => gcp(&mut t, rel, &recs),
        }
    }
    totals(&t);
}

fn aws(t: &mut Tally, rel: &str, container: Container, recs: &[Value]) {
    if container == Container::AwsS3Gz {
        let name = rel.rsplit('/').next().unwrap();
        assert!(name.starts_with("111122223333_CloudTrail_"), "{rel}");
        assert!(name.ends_with(".json.gz"), "{rel}");
        let times: Vec<&str> = recs
            .iter()
            .map(|r| r["eventTime"].as_str().unwrap())
            .collect();
        if times.windows(2).any(|w| w[0] > w[1]) {
            t.unordered_s3 += 1;
        }
    }
    for r in recs {
        for key in [
            "eventVersion",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
        ] {
            assert!(r[key].is_string(), "{rel}: {key} in {r}");
        }
        assert!(r["userIdentity"]["type"].is_string(), "{rel}: {r}");
        assert_eq!(r["recipientAccountId"], "111122223333");
        let id = r["eventID"].as_str().unwrap().to_string();
        assert!(t.ids.insert(id), "{rel}: duplicate eventID");
        if r.get("errorCode").is_some() {
            assert!(r["responseElements"].is_null(), "{rel}: {r}");
        }
    }
}

fn event_hub(t: &mut Tally, rel: &str, recs: &[Value]) {
    // <sub>/<YYYYMMDDHH>.json holds that hour (a day's last file may run over)
    let stem = &rel[rel.len() - "YYYYMMDDHH.json".len()..][..10];
    for r in recs {
        let time = r["time"].as_str().unwrap();
        let hour: String = time[..13].chars().filter(|c| c.is_ascii_digit()).collect();
        assert!(
            hour == stem || (stem.ends_with("23") && &time[11..15] == "00:0"),
            "{rel}: {time}"
        );
        t.eh += 1;
        let op = r["operationName"].as_str().unwrap();
        if op == op.to_uppercase() {
            t.upper += 1;
        }
        let kind = r["resultType"].as_str().unwrap();
        assert!(
            ["Start", "Accept", "Success", "Failure"].contains(&kind),
            "{r}"
        );
        assert!(r["identity"]["claims"].is_object());
        let id = r["eventDataId"].as_str().unwrap().to_string();
        assert!(t.ids.insert(id), "{rel}: duplicate eventDataId");
        t.az_ops
            .entry(r["correlationId"].as_str().unwrap().to_string())
            .or_default()
            .push(kind.to_string());
        if let Some(body) = r["properties"]["responseBody"].as_str() {
            serde_json::from_str::<Value>(body).expect("responseBody is JSON");
        }
    }
}

fn rest(t: &mut Tally, rel: &str, bytes: &[u8], recs: &[Value]) {
    let times: Vec<&str> = recs
        .iter()
        .map(|r| r["eventTimestamp"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]) || times.len() < 2,
        "{rel}: az lists newest first"
    );
    for r in recs {
        assert!(r["operationName"]["value"].is_string());
        assert!(r["status"]["value"].is_string());
        assert!(r["httpRequest"]["clientIpAddress"].is_string());
        let id = r["eventDataId"].as_str().unwrap().to_string();
        assert!(t.ids.insert(id), "{rel}: duplicate eventDataId");
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "az prints keys sorted");
    }
    assert!(std::str::from_utf8(bytes)
        .unwrap()
        .starts_with("[\n  {\n    \"authorization\": {"));
}

fn gcp(t: &mut Tally, rel: &str, recs: &[Value]) {
    let log = if rel.contains("/activity/") {
        "activity"
    } else {
        assert!(rel.contains("/data_access/"), "{rel}");
        "data_access"
    };
    assert!(rel.ends_with("_S0.json"), "{rel}");
    for r in recs {
        assert!(r["logName"]
            .as_str()
            .unwrap()
            .ends_with(&format!("%2F{log}")));
        assert!(r["protoPayload"]["methodName"].is_string());
        assert!(r["timestamp"].as_str().unwrap().ends_with('Z'));
        let id = r["insertId"].as_str().unwrap().to_string();
        assert!(t.ids.insert(id), "{rel}: duplicate insertId");
        if let Some(op) = r.get("operation") {
            let which = if op["first"] == true { "first" } else { "last" };
            t.gcp_ops
                .entry(op["id"].as_str().unwrap().to_string())
                .or_default()
                .push(which);
        }
    }
}

/// Every container has files, S3 files are out of order, Event Hub spells half the names in
/// upper case, and every operation has its phases.
fn totals(t: &Tally) {
    for container in Container::ALL {
        assert!(
            t.seen.get(&container).copied().unwrap_or(0) > 0,
            "no {container} files"
        );
    }
    assert!(
        t.unordered_s3 > 0,
        "S3 delivery files are not in time order"
    );
    let frac = t.upper as f64 / t.eh as f64;
    assert!((0.35..0.65).contains(&frac), "t.upper-case share {frac}");
    for (corr, phases) in &t.az_ops {
        assert!((2..=3).contains(&phases.len()), "{corr}: {phases:?}");
        assert!(phases.iter().any(|p| p == "Start"), "{corr}: {phases:?}");
        assert!(
            phases.iter().any(|p| p == "Success" || p == "Failure"),
            "{corr}"
        );
    }
    for (op, parts) in &t.gcp_ops {
        let mut parts = parts.clone();
        parts.sort();
        assert_eq!(parts, ["first", "last"], "{op}");
    }
}
