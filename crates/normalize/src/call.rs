use std::sync::Arc;

use chrono::{DateTime, Utc};
use revertwatch_pack::{CallFields, Provider, Root};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a call ended, as the incident contract writes it (`success`, `failure`, `in-progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The call completed: CloudTrail without `errorCode`, Azure `Succeeded`, GCP without an error status.
    Success,
    /// The call was refused or failed; [`ApiCall::error`] says why when the record does.
    Failure,
    /// Azure accepted an asynchronous operation, or GCP logged only its first entry: the call
    /// was authorised and started; its end was not seen.
    InProgress,
}

impl Outcome {
    /// The contract's spelling: `success`, `failure` or `in-progress`; `FromStr` takes exactly these.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::InProgress => "in-progress",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Outcome, UnknownOutcome> {
        [Outcome::Success, Outcome::Failure, Outcome::InProgress]
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownOutcome(s.to_string()))
    }
}

/// A string that names no [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an outcome (success, failure, in-progress)")]
pub struct UnknownOutcome(pub String);

/// Where one event stands in its operation's life. Merging keeps the outcome of the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// An operation's first event (Azure `Start`, GCP `operation.first`); orders before the others.
    Start,
    /// Azure accepted an asynchronous operation; its end may follow.
    Accept,
    /// The operation's end, or a call logged as one event (every CloudTrail record).
    Final,
}

/// Who made a call, as the record names them. Fields the record lacks are empty or `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// ARN, UPN, object id or e-mail.
    pub id: String,
    /// The provider's identity type (IAMUser, AssumedRole, User, ServicePrincipal...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The service that made the call on the actor's behalf (`invokedBy`).
    pub invoked_by: Option<String>,
    /// The role a session was issued from.
    pub session_issuer: Option<String>,
}

/// A resource a call names: ordered and compared by kind, then id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceRef {
    /// The rule pack's resource kind (e.g. `instance`, `volume`, `snapshot`, `disk`, `image`).
    pub kind: String,
    /// The provider's id, canonical (see the crate's invariants): equal ids mean one resource.
    pub id: String,
}

/// A lineage edge: `from` went into `to` (a snapshot into a volume, a volume into an instance).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edge {
    /// The source resource (the snapshot a volume was made from).
    pub from: ResourceRef,
    /// The resource made from or fed by `from`.
    pub to: ResourceRef,
    /// The rule pack's name for the link (`created_from`, `attached`, `launched`...).
    pub relation: String,
    /// The region `from` lives in when the call names another than its own (a cross-region
    /// copy's `sourceRegion`).
    pub from_region: Option<String>,
}

/// Where a record was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The input's name: a path, an object URL or the name given to [`Ingest::read_reader`](crate::Ingest::read_reader).
    pub source: Arc<str>,
    /// Byte offset of the record in the decompressed input (of the whole file, for a part).
    pub offset: u64,
    /// 1-based line of the record's first byte.
    pub line: u64,
}

/// One logical cloud API call, the same shape for every provider.
#[derive(Debug, Clone, Serialize)]
pub struct ApiCall {
    /// When the call was made (the first phase's time, after merging), UTC.
    #[serde(serialize_with = "crate::time::serialize_time")]
    pub time: DateTime<Utc>,
    /// The cloud whose log the record came from.
    pub provider: Provider,
    /// AWS account id, Azure subscription id or GCP project id; empty when the record (and its file's path) does not say.
    pub account: String,
    /// AWS region, Azure location or GCP region or zone; empty when the record does not say.
    pub region: String,
    /// Who made the call.
    pub actor: Actor,
    /// The caller's IP address (or AWS service name) as logged; empty when not logged (always, in Azure's Activity Log).
    pub source_ip: String,
    /// The caller's user agent as logged; empty when not logged (always, for Azure).
    pub user_agent: String,
    /// The operation as the provider names it (Azure in the pack's casing when known).
    pub operation: String,
    /// How the call ended; for a merged operation, the outcome of its latest phase.
    pub outcome: Outcome,
    /// The error code or message of a failed call; `None` for a call that did not fail or whose record gives no reason.
    pub error: Option<String>,
    /// Id of the call's first event; `event_ids` lists every event merged into it.
    pub event_id: String,
    /// The ids of every event merged into this call, the first one included (one, for CloudTrail).
    pub event_ids: Vec<String>,
    /// Every resource the call names, per the pack; empty until [`annotate`](crate::annotate)d.
    pub resources: Vec<ResourceRef>,
    /// What the call acts on or produced, per the pack.
    pub subjects: Vec<ResourceRef>,
    /// Lineage edges the call creates; empty until [`annotate`](crate::annotate)d.
    pub edges: Vec<Edge>,
    /// Tags and labels the call set or carried (`ChangeTicket=CHG-1`).
    pub tags: Vec<(String, String)>,
    /// Resources and edges are filled in and the bodies pruned to what the pack's conditions
    /// read (see [`crate::annotate`]).
    #[serde(skip)]
    pub annotated: bool,
    /// Which phase of its operation this event is; after merging, the latest phase seen.
    #[serde(skip)]
    pub phase: Phase,
    /// Azure correlationId, GCP operation.id: what the phases of one operation share.
    #[serde(skip)]
    pub correlation: Option<String>,
    /// The call's request body (CloudTrail `requestParameters`, Azure `properties`, GCP `protoPayload.request`); `Null` when absent.
    #[serde(skip)]
    pub request: Value,
    /// The call's response body (CloudTrail `responseElements`, GCP `protoPayload.response`); `Null` when absent.
    #[serde(skip)]
    pub response: Value,
    /// The record's own resource id (Azure resourceId, GCP resourceName), canonical.
    #[serde(skip)]
    pub resource: Value,
    /// The original record, for evidence and for rules that read it whole.
    #[serde(skip)]
    pub record: Arc<Value>,
    /// Where the record (the first event, for a merged call) was read.
    pub origin: Origin,
}

impl CallFields for ApiCall {
    fn field_root(&self, root: Root) -> Option<&Value> {
        match root {
            Root::Request => Some(&self.request),
            Root::Response => Some(&self.response),
            Root::Resource => Some(&self.resource),
            Root::Record => Some(&self.record),
        }
    }
}
