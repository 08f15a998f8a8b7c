//! The scheduler's constraints, driven by the real kubectl: node selectors, required node
//! affinity, taints and tolerations, cordon, resources — each refusal with kube-scheduler's
//! own message, and the pod bound once the node changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Kube;

fn pod(name: &str, spec_extra: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: app
    image: todo-backend:latest
{spec_extra}"
    )
}

async fn scheduled_condition(k: &Kube, name: &str, status: &str) -> String {
    k.ok(&[
        "wait",
        &format!("pod/{name}"),
        &format!("--for=condition=PodScheduled={status}"),
        "--timeout=10s",
    ])
    .await;
    k.ok(&[
        "get",
        "pod",
        name,
        "-o",
        "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].message}",
    ])
    .await
}

const NOT_HELPFUL: &str =
    "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";

#[tokio::test]
async fn selectors_affinity_taints_and_cordon_refuse_with_the_schedulers_words() {
    let k = Kube::start().await;

    // A node selector no node matches: Pending until the node gets the label.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod("ssd", "  nodeSelector:\n    disktype: ssd\n")),
    )
    .await;
    let message = scheduled_condition(&k, "ssd", "false").await;
    assert_eq!(
        message,
        format!(
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. {NOT_HELPFUL}"
        )
    );
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=ssd",
        ])
        .await;
    assert!(events.contains("FailedScheduling"), "{events}");
    k.ok(&["label", "node", "kubesim", "disktype=ssd"]).await;
    scheduled_condition(&k, "ssd", "true").await;

    // Required node affinity: NotIn the node's OS refuses, In accepts.
    let affinity = |op: &str| {
        format!(
            "  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {{key: kubernetes.io/os, operator: {op}, values: [linux]}}
"
        )
    };
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod("not-linux", &affinity("NotIn"))),
    )
    .await;
    k.ok_stdin(&["apply", "-f", "-"], Some(&pod("linux", &affinity("In"))))
        .await;
    assert!(
        scheduled_condition(&k, "not-linux", "false")
            .await
            .contains("didn't match Pod's node affinity/selector")
    );
    scheduled_condition(&k, "linux", "true").await;

    // A NoSchedule taint: refused without a toleration, accepted with one.
    k.ok(&["taint", "nodes", "kubesim", "dedicated=gpu:NoSchedule"])
        .await;
    k.ok_stdin(&["apply", "-f", "-"], Some(&pod("plain", "")))
        .await;
    let tolerant =
        "  tolerations:\n  - {key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}\n";
    k.ok_stdin(&["apply", "-f", "-"], Some(&pod("tolerant", tolerant)))
        .await;
    assert_eq!(
        scheduled_condition(&k, "plain", "false").await,
        format!(
            "0/1 nodes are available: 1 node(s) had untolerated taint {{dedicated: gpu}}. {NOT_HELPFUL}"
        )
    );
    scheduled_condition(&k, "tolerant", "true").await;
    k.ok(&["taint", "nodes", "kubesim", "dedicated=gpu:NoSchedule-"])
        .await;
    scheduled_condition(&k, "plain", "true").await;

    // Cordoned: new pods wait, pods already there stay; uncordon lets them in.
    k.ok(&["cordon", "kubesim"]).await;
    k.ok_stdin(&["apply", "-f", "-"], Some(&pod("late", "")))
        .await;
    assert_eq!(
        scheduled_condition(&k, "late", "false").await,
        format!("0/1 nodes are available: 1 node(s) were unschedulable. {NOT_HELPFUL}")
    );
    assert_eq!(
        k.ok(&["get", "pod", "plain", "-o", "jsonpath={.spec.nodeName}"])
            .await,
        "kubesim"
    );
    k.ok(&["uncordon", "kubesim"]).await;
    scheduled_condition(&k, "late", "true").await;

    // More CPU than the node has: a resource refusal, which preemption could address.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod(
            "big",
            "    resources:\n      requests: {cpu: \"64\"}\n",
        )),
    )
    .await;
    assert_eq!(
        scheduled_condition(&k, "big", "false").await,
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    );
}
