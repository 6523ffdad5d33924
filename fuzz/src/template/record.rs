//! Filling one record of a [`Shape`] from the pack's paths, and wrapping it in its envelope.

use std::io::Write;

use base64::Engine;
use revertwatch_pack::{Condition, Entry, Pack, Provider};
use serde_json::{json, Value};

use super::roots::{merge, Roots};
use super::*;

impl Record {
    /// The enveloped record, and whether it is clean (see [`Built`]).
    pub(super) fn envelope(&self, pack: &Pack, n: usize) -> (Value, bool) {
        let provider = self.shape.provider();
        let entries: Vec<&Entry> = pack
            .entries
            .iter()
            .filter(|e| e.provider == provider)
            .collect();
        let entry = entries[usize::from(self.entry) % entries.len()];
        let (request, response, resource, top) = self.bodies(entry);
        let operation = match &self.operation {
            Some(t) => t.plain(),
            None => self.spell(&entry.name, provider),
        };
        let record = match provider {
            Provider::Aws => self.cloudtrail(&operation, request, response, top, n),
            Provider::Azure => self.azure(&operation, request, response, resource, top, n),
            Provider::Gcp => self.gcp(&operation, request, response, resource, top, n),
        };
        let damaged = self.damage.is_some_and(|d| d > 0);
        let wrapped = self.wrap(record);
        let clean = self.operation.is_none() && self.time.is_good() && !damaged;
        (wrapped, clean)
    }

    fn spell(&self, name: &str, provider: Provider) -> String {
        match (provider, self.casing) {
            (Provider::Azure, Casing::Upper) => name.to_ascii_uppercase(),
            (Provider::Azure, Casing::Lower) => name.to_ascii_lowercase(),
            (Provider::Gcp, Casing::Versioned) => format!("v1.{name}"),
            (Provider::Gcp, Casing::Upper) => format!("beta.{name}"),
            _ => name.to_string(),
        }
    }

    fn pool(&self) -> &'static [&'static str] {
        match self.shape.provider() {
            Provider::Aws => &AWS_IDS,
            Provider::Azure => &AZURE_IDS,
            Provider::Gcp => &GCP_IDS,
        }
    }

    /// Request, response, resource id and extra top-level fields, filled at the entry's paths.
    fn bodies(&self, entry: &Entry) -> (Value, Value, Option<String>, Value) {
        let mut roots = Roots::default();
        for (k, spec) in entry.resources.values().enumerate() {
            let path = &spec.paths[usize::from(self.path_choice) % spec.paths.len()];
            let id = match self.ids.get(k) {
                Some(t) => t.resolve(self.pool()),
                None => self.pool()[k % self.pool().len()].to_string(),
            };
            roots.put(path, Value::String(id));
        }
        if !self.weaken {
            for condition in &entry.when {
                match condition {
                    Condition::Present(paths) => {
                        if !roots.has(&paths[0]) {
                            roots.put(&paths[0], json!(self.pool()[0]));
                        }
                    }
                    Condition::AnyOf(paths, values) => {
                        let v = &values[usize::from(self.path_choice) % values.len()];
                        roots.put(&paths[0], json!(v));
                    }
                    Condition::ContainsAny(paths, values) => {
                        let v = &values[usize::from(self.path_choice) % values.len()];
                        let id = format!(
                            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute{v}x"
                        );
                        roots.put(&paths[0], json!(id));
                    }
                }
            }
        }
        if let Some((k, v)) = &self.tag {
            let tag = json!({"key": k.plain(), "value": v.plain()});
            let (k, v) = (k.plain(), v.plain());
            match self.shape.provider() {
                Provider::Aws => {
                    roots.request["tagSpecificationSet"] =
                        json!({"items": [{"resourceType": "volume", "tags": [tag]}]})
                }
                Provider::Azure => roots.request["tags"] = json!({ k: v }),
                Provider::Gcp => roots.request["labels"] = json!({ k: v }),
            }
        }
        (roots.request, roots.response, roots.resource, roots.record)
    }

    fn status(&self) -> Value {
        let words = [
            "Start",
            "Accept",
            "Succeeded",
            "Failed",
            "Success",
            "BeginRequest",
        ];
        json!(words[usize::from(self.phase) % words.len()])
    }

    fn event_id(&self, n: usize) -> Option<String> {
        match &self.event_id {
            Some(t) => Some(t.plain()),
            None => (n % 3 != 2).then(|| format!("e{n:04}")),
        }
    }

    fn cloudtrail(&self, op: &str, req: Value, resp: Value, top: Value, n: usize) -> Value {
        let mut r = json!({
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "AssumedRole",
                "arn": self.actor.plain(),
                "accountId": "111122223333",
                "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::111122223333:role/r"}}
            },
            "eventTime": self.time.json(),
            "eventSource": "ec2.amazonaws.com",
            "eventName": op,
            "awsRegion": "us-east-1",
            "sourceIPAddress": self.source_ip.plain(),
            "userAgent": self.user_agent.plain(),
            "requestParameters": req,
            "responseElements": resp,
            "recipientAccountId": "111122223333",
        });
        if let Some(id) = self.event_id(n) {
            r["eventID"] = json!(id);
        }
        if let Some(e) = &self.failed {
            r["errorCode"] = json!(e.plain());
            r["errorMessage"] = json!("denied");
        }
        merge(&mut r, top);
        r
    }

    fn azure(
        &self,
        op: &str,
        req: Value,
        resp: Value,
        resource: Option<String>,
        top: Value,
        n: usize,
    ) -> Value {
        let body = |v: Value| {
            if self.body_as_string && !v.is_null() {
                json!(v.to_string())
            } else {
                v
            }
        };
        let resource = resource.unwrap_or_else(|| AZURE_IDS[0].to_string());
        let correlation = format!("c-{}", self.correlation % 4);
        let mut r = match self.shape {
            Shape::AzureRest => json!({
                "caller": self.actor.plain(),
                "correlationId": correlation,
                "eventName": {"value": "EndRequest"},
                "eventTimestamp": self.time.json(),
                "operationName": {"value": op, "localizedValue": "x"},
                "resourceId": resource,
                "status": {"value": self.status()},
                "subStatus": {"value": self.failed.as_ref().map(Text::plain)},
                "subscriptionId": "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
                "httpRequest": {"clientIpAddress": self.source_ip.plain()},
                "properties": {"requestbody": body(req), "responseBody": body(resp)},
            }),
            Shape::AzurePythonSdk => json!({
                "caller": self.actor.plain(),
                "correlation_id": correlation,
                "event_timestamp": self.time.json(),
                "operation_name": {"value": op},
                "resource_id": resource,
                "status": {"value": self.status()},
                "http_request": {"client_ip_address": self.source_ip.plain()},
                "properties": {"requestbody": body(req), "responseBody": body(resp)},
            }),
            _ => json!({
                "time": self.time.json(),
                "resourceId": resource,
                "operationName": op,
                "category": "Administrative",
                "resultType": self.status(),
                "resultSignature": self.failed.as_ref().map(Text::plain),
                "correlationId": correlation,
                "callerIpAddress": self.source_ip.plain(),
                "identity": {"claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": self.actor.plain()}},
                "location": "westeurope",
                "properties": {"requestbody": body(req), "responseBody": body(resp)},
            }),
        };
        if let Some(id) = self.event_id(n) {
            let key = if self.shape == Shape::AzurePythonSdk {
                "event_data_id"
            } else {
                "eventDataId"
            };
            r[key] = json!(id);
        }
        merge(&mut r, top);
        r
    }

    fn gcp(
        &self,
        op: &str,
        req: Value,
        resp: Value,
        resource: Option<String>,
        top: Value,
        n: usize,
    ) -> Value {
        let mut r = json!({
            "protoPayload": {
                "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
                "methodName": op,
                "resourceName": resource.unwrap_or_else(|| GCP_IDS[0].to_string()),
                "authenticationInfo": {"principalEmail": self.actor.plain()},
                "requestMetadata": {
                    "callerIp": self.source_ip.plain(),
                    "callerSuppliedUserAgent": self.user_agent.plain(),
                },
                "request": req,
                "response": resp,
            },
            "resource": {"type": "gce_instance", "labels": {"project_id": "p1", "zone": "us-central1-a"}},
            "timestamp": self.time.json(),
            "severity": "NOTICE",
            "logName": "projects/p1/logs/cloudaudit.googleapis.com%2Factivity",
            "operation": {
                "id": format!("op-{}", self.correlation % 4),
                "producer": "compute.googleapis.com",
                "first": self.phase.is_multiple_of(3),
                "last": self.phase % 3 == 1,
            },
        });
        if let Some(id) = self.event_id(n) {
            r["insertId"] = json!(id);
        }
        if let Some(e) = &self.failed {
            r["protoPayload"]["status"] = json!({"code": 7, "message": e.plain()});
        }
        merge(&mut r, top);
        r
    }

    fn wrap(&self, record: Value) -> Value {
        let cut = usize::from(self.damage.unwrap_or(0));
        let damaged = |mut s: String| {
            let keep = s.len().saturating_sub(cut);
            while !s.is_char_boundary(keep.min(s.len())) {
                s.pop();
            }
            s.truncate(keep.min(s.len()));
            s
        };
        let b64 = |bytes: &[u8]| {
            let s = if self.url_safe {
                base64::engine::general_purpose::URL_SAFE.encode(bytes)
            } else {
                base64::engine::general_purpose::STANDARD.encode(bytes)
            };
            damaged(s)
        };
        match self.shape {
            Shape::CloudTrail
            | Shape::AzureEventHub
            | Shape::AzureRest
            | Shape::AzurePythonSdk
            | Shape::GcpEntry => record,
            Shape::EventBridge => json!({
                "version": "0",
                "id": "7e8e6d8c",
                "detail-type": "AWS API Call via CloudTrail",
                "source": "aws.ec2",
                "account": "111122223333",
                "time": "2026-03-14T13:00:00Z",
                "region": "us-east-1",
                "resources": [],
                "detail": record,
            }),
            Shape::LookupEvents => json!({
                "EventId": "e",
                "EventName": record["eventName"].clone(),
                "CloudTrailEvent": damaged(record.to_string()),
            }),
            Shape::SplunkRaw => json!({
                "preview": false,
                "result": {"_raw": damaged(record.to_string()), "sourcetype": "aws:cloudtrail"},
            }),
            Shape::CloudWatchMessage => json!({
                "messageType": "DATA_MESSAGE",
                "owner": "111122223333",
                "logGroup": "CloudTrail/logs",
                "logEvents": [{"id": "1", "timestamp": 1, "message": damaged(record.to_string())}],
            }),
            Shape::AwsLogs => {
                let inner = json!({
                    "messageType": "DATA_MESSAGE",
                    "owner": "111122223333",
                    "logGroup": "CloudTrail/logs",
                    "logEvents": [{"id": "1", "timestamp": 1, "message": record.to_string()}],
                });
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(inner.to_string().as_bytes())
                    .expect("in memory");
                json!({"awslogs": {"data": b64(&gz.finish().expect("in memory"))}})
            }
            Shape::AzureSplunkBody => json!({"body": {"records": [record]}}),
            Shape::GcpPubSub => json!({
                "message": {"data": b64(record.to_string().as_bytes()), "messageId": "1"},
                "subscription": "projects/p1/subscriptions/audit",
            }),
        }
    }
}
