//! What each script says it leaves in the log agrees with the rule pack: an operation the
//! script marks as a revert signal is one the pack knows, with that chain label, and every
//! chain a plan expects is one the pack can produce.

use revertwatch_kit::{plans, Role, Scenario, CLOUDS};
use revertwatch_pack::{load_default, Signal};

#[test]
fn every_marked_chain_is_the_packs_label_for_that_operation() {
    let pack = load_default();
    for plan in plans() {
        for (step, t) in plan.telemetry() {
            let entries: Vec<_> = pack.entries_for(plan.cloud, t.operation).collect();
            match t.chain {
                Some(chain) => {
                    assert!(
                        entries
                            .iter()
                            .any(|e| e.signal != Signal::Link && e.chain.as_deref() == Some(chain)),
                        "{} {}: the pack has no `{chain}` for {}",
                        plan.scenario,
                        plan.cloud,
                        t.operation
                    );
                    assert_eq!(step.role, Role::Revert, "a setup step must not be a signal");
                }
                None if step.role == Role::Revert => assert!(
                    !entries.is_empty(),
                    "{} {}: {} is a revert step the pack does not know",
                    plan.scenario,
                    plan.cloud,
                    t.operation
                ),
                None => {}
            }
        }
    }
}

#[test]
fn every_expected_chain_is_one_the_pack_can_produce() {
    let pack = load_default();
    let mut producible: Vec<String> = vec!["stop-start".into()];
    for e in &pack.entries {
        producible.extend(e.chain.clone());
        producible.extend(e.reached.values().cloned());
    }
    for plan in plans() {
        let mut sorted = plan.chains.to_vec();
        sorted.sort();
        assert_eq!(
            sorted, plan.chains,
            "{}: chains are listed sorted",
            plan.scenario
        );
        for chain in plan.chains {
            assert!(
                producible.iter().any(|c| c == chain),
                "{} {}: `{chain}` is not a chain of the pack",
                plan.scenario,
                plan.cloud
            );
        }
        let escalate = plan.revert_telemetry().any(|t| t.chain == Some("stop"))
            && plan
                .revert_telemetry()
                .any(|t| t.chain.is_some_and(|c| c != "stop" && c != "start"));
        assert_eq!(
            plan.severity,
            if escalate { "escalate" } else { "review" },
            "{} {}",
            plan.scenario,
            plan.cloud
        );
    }
}

#[test]
fn there_is_a_script_for_every_scenario_on_every_cloud() {
    let all: Vec<_> = plans().map(|p| (p.scenario, p.cloud)).collect();
    assert_eq!(all.len(), Scenario::ALL.len() * CLOUDS.len());
    for s in Scenario::ALL {
        assert_eq!(s.name().parse::<Scenario>().unwrap(), s);
    }
    let seeds: Vec<u8> = Scenario::ALL.iter().filter_map(|s| s.seed_test()).collect();
    assert_eq!(seeds, [1, 2, 3, 4]);
}
