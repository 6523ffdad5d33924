//! The calls a [`crate::Detector`] holds: phases grouped by the operation they belong to,
//! each under its event key.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use revertwatch_normalize::ApiCall;
use revertwatch_pack::Provider;

/// The phases of one operation share this ([`revertwatch_normalize::phase_group`]).
pub(crate) type Group = (Provider, String);

/// Where a logical call handed out by [`Held::take_merged`] came from.
pub(crate) struct Taken {
    pub group: Group,
    /// The key of the one phase moved out (rather than merged from copies), to put back.
    moved: Option<String>,
}

#[derive(Default)]
pub(crate) struct Held {
    groups: BTreeMap<Group, Vec<(String, ApiCall)>>,
    keys: HashMap<String, Group>,
    /// How many held calls carry each provider event id: a second key under one id is a
    /// record that shares the id and differs in content.
    ids: HashMap<String, u32>,
    len: usize,
}

impl Held {
    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Holds `call`; true when a call with its event id and other content is held already.
    pub fn insert(&mut self, group: Group, key: String, call: ApiCall) -> bool {
        let mut conflicting = false;
        if !call.event_id.is_empty() {
            let n = self.ids.entry(call.event_id.clone()).or_default();
            conflicting = *n > 0;
            *n += 1;
        }
        self.keys.insert(key.clone(), group.clone());
        self.groups.entry(group).or_default().push((key, call));
        self.len += 1;
        conflicting
    }

    fn forget_id(&mut self, call: &ApiCall) {
        if let Some(n) = self.ids.get_mut(&call.event_id) {
            *n -= 1;
            if *n == 0 {
                self.ids.remove(&call.event_id);
            }
        }
    }

    pub fn remove(&mut self, key: &str) {
        let Some(group) = self.keys.remove(key) else {
            return;
        };
        let Some(phases) = self.groups.get_mut(&group) else {
            return;
        };
        let Some(at) = phases.iter().position(|(k, _)| k == key) else {
            return;
        };
        let (_, call) = phases.remove(at);
        if phases.is_empty() {
            self.groups.remove(&group);
        }
        self.len -= 1;
        self.forget_id(&call);
    }

    pub fn newest(&self) -> Option<DateTime<Utc>> {
        self.groups.values().flatten().map(|(_, c)| c.time).max()
    }

    pub fn calls(&self) -> impl Iterator<Item = (&str, &ApiCall)> {
        self.groups.values().flatten().map(|(k, c)| (k.as_str(), c))
    }

    /// Lets go of every group for which `gone(group, time of its last phase)` holds, and
    /// returns the keys let go, each with its group.
    pub fn release_groups(
        &mut self,
        mut gone: impl FnMut(&Group, DateTime<Utc>) -> bool,
    ) -> Vec<(String, Group)> {
        let doomed: Vec<Group> = self
            .groups
            .iter()
            .filter(|(group, phases)| {
                let ended = phases.iter().map(|(_, c)| c.time).max();
                ended.is_some_and(|t| gone(group, t))
            })
            .map(|(group, _)| group.clone())
            .collect();
        let mut released = Vec::new();
        for group in doomed {
            for (key, call) in self.groups.remove(&group).unwrap_or_default() {
                self.keys.remove(&key);
                self.forget_id(&call);
                self.len -= 1;
                released.push((key, group.clone()));
            }
        }
        released
    }

    /// Lets go of whole operations, oldest first, until at most `keep` calls are held.
    pub fn release_oldest(&mut self, keep: usize) -> Vec<String> {
        let mut by_age: Vec<(DateTime<Utc>, Group)> = self
            .groups
            .iter()
            .map(|(group, phases)| {
                let first = phases.iter().map(|(_, c)| c.time).min();
                (first.unwrap_or(DateTime::<Utc>::MIN_UTC), group.clone())
            })
            .collect();
        by_age.sort();
        let mut released = Vec::new();
        for (_, group) in by_age {
            if self.len <= keep {
                break;
            }
            for (key, call) in self.groups.remove(&group).unwrap_or_default() {
                self.keys.remove(&key);
                self.forget_id(&call);
                self.len -= 1;
                released.push(key);
            }
        }
        released
    }

    /// One logical call per group, sorted by (time, event id). A group of one annotated phase
    /// is moved out; others are merged from copies with `merge`.
    pub fn take_merged(
        &mut self,
        merge: impl Fn(Vec<ApiCall>) -> ApiCall,
    ) -> (Vec<ApiCall>, Vec<Taken>) {
        let mut merged: Vec<(ApiCall, Taken)> = self
            .groups
            .iter_mut()
            .map(|(group, phases)| {
                if phases.len() == 1 && phases[0].1.annotated {
                    let (key, call) = phases.pop().expect("one phase");
                    let taken = Taken {
                        group: group.clone(),
                        moved: Some(key),
                    };
                    return (call, taken);
                }
                let call = merge(phases.iter().map(|(_, c)| c.clone()).collect());
                let taken = Taken {
                    group: group.clone(),
                    moved: None,
                };
                (call, taken)
            })
            .collect();
        merged.sort_by(|(a, _), (b, _)| {
            a.time
                .cmp(&b.time)
                .then_with(|| a.event_id.cmp(&b.event_id))
        });
        merged.into_iter().unzip()
    }

    /// Returns the calls [`Held::take_merged`] moved out.
    pub fn put_back(&mut self, calls: Vec<ApiCall>, taken: Vec<Taken>) {
        for (call, taken) in calls.into_iter().zip(taken) {
            if let Some(key) = taken.moved {
                self.groups
                    .entry(taken.group)
                    .or_default()
                    .push((key, call));
            }
        }
    }
}
