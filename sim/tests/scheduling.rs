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

#[tokio::test]
async fn drain_evicts_within_the_disruption_budget() {
    let k = Kube::start_with(kubesim::server::SimConfig {
        nodes: 2,
        ..Default::default()
    })
    .await;
    k.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx",
        "--replicas=2",
    ])
    .await;
    k.ok(&["rollout", "status", "deployment/web", "--timeout=10s"])
        .await;
    k.ok(&[
        "create",
        "pdb",
        "web",
        "--selector=app=web",
        "--min-available=2",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.expectedPods}=2",
        "pdb/web",
        "--timeout=10s",
    ])
    .await;
    let status = k
        .ok(&[
            "get",
            "pdb",
            "web",
            "-o",
            "jsonpath={.status.disruptionsAllowed} {.status.currentHealthy} {.status.desiredHealthy}",
        ])
        .await;
    assert_eq!(status, "0 2 2");
    let nodes = k
        .ok(&["get", "pods", "-o", "jsonpath={.items[*].spec.nodeName}"])
        .await;
    // Regression: pods of a Deployment made by `kubectl create` (a protobuf body) carried
    // `nodeName: ""`, were taken as scheduled and never went through the scheduler.
    assert_eq!(
        nodes.split_whitespace().count(),
        2,
        "unscheduled pods: {nodes:?}"
    );
    let node = nodes.split_whitespace().next().unwrap().to_string();
    // The budget allows no eviction: drain keeps retrying and gives up at its timeout.
    let blocked = k
        .run(
            &["drain", &node, "--ignore-daemonsets", "--timeout=3s"],
            None,
        )
        .await;
    assert!(!blocked.status.success());
    let said = String::from_utf8_lossy(&blocked.stderr);
    assert!(
        said.contains("Cannot evict pod as it would violate the pod's disruption budget."),
        "{said}"
    );
    // With room for one disruption, drain moves the pods one at a time to the other node.
    k.ok(&[
        "patch",
        "pdb",
        "web",
        "--type=merge",
        "-p",
        "{\"spec\":{\"minAvailable\":1}}",
    ])
    .await;
    k.ok(&["drain", &node, "--ignore-daemonsets", "--timeout=30s"])
        .await;
    // The node table shows roles from the node-role labels and the cordon drain left.
    let table = k.ok(&["get", "nodes", "--no-headers"]).await;
    let row = |name: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
    };
    for name in ["kubesim", "kubesim-m02"] {
        let status = if name == node {
            "Ready,SchedulingDisabled"
        } else {
            "Ready"
        };
        let role = if name == "kubesim" {
            "control-plane"
        } else {
            "<none>"
        };
        assert_eq!(row(name), [name, status, role], "{table}");
    }
    let after = k
        .ok(&["get", "pods", "-o", "jsonpath={.items[*].spec.nodeName}"])
        .await;
    assert!(
        after.split_whitespace().count() == 2 && after.split_whitespace().all(|n| n != node),
        "{after}"
    );
}

/// Required pod anti-affinity spreads a Deployment one replica per node and leaves the one
/// too many Pending with the scheduler's words; required pod affinity puts a pod beside the
/// pods it asks for, and an existing pod's anti-affinity keeps others off its node.
#[tokio::test]
async fn inter_pod_affinity_and_anti_affinity_are_decided_per_node() {
    let k = Kube::start_with(kubesim::server::SimConfig {
        nodes: 2,
        ..Default::default()
    })
    .await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: cache}
spec:
  replicas: 3
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app: cache}}
      containers:
      - {name: cache, image: todo-backend:latest}
",
        ),
    )
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let pending = loop {
        let pods = k.json(&["get", "pods", "-l", "app=cache"]).await;
        let items = pods["items"].as_array().unwrap().clone();
        let unbound: Vec<String> = items
            .iter()
            .filter(|p| p["spec"]["nodeName"].as_str().is_none_or(str::is_empty))
            .filter(|p| {
                p["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == "PodScheduled" && c["status"] == "False")
            })
            .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
            .collect();
        if items.len() == 3 && unbound.len() == 1 {
            let mut nodes: Vec<&str> = items
                .iter()
                .filter_map(|p| p["spec"]["nodeName"].as_str())
                .collect();
            nodes.sort();
            assert_eq!(nodes, ["kubesim", "kubesim-m02"], "one replica per node");
            break unbound[0].clone();
        }
        assert!(std::time::Instant::now() < deadline, "{pods}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let message = scheduled_condition(&k, &pending, "False").await;
    assert!(
        message.starts_with("0/2 nodes are available: "),
        "{message}"
    );
    assert!(
        message.contains("2 node(s) didn't match pod anti-affinity rules"),
        "{message}"
    );
    // A pod that must sit beside a cache replica lands on a node that has one; a pod with
    // the cache's label is kept off both nodes by the replicas' own anti-affinity.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod(
            "beside",
            "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n      - topologyKey: kubernetes.io/hostname\n        labelSelector: {matchLabels: {app: cache}}\n",
        )),
    )
    .await;
    scheduled_condition(&k, "beside", "True").await;
    let lonely = pod(
        "lonely",
        "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n      - topologyKey: kubernetes.io/hostname\n        labelSelector: {matchLabels: {app: nowhere}}\n",
    );
    k.ok_stdin(&["apply", "-f", "-"], Some(&lonely)).await;
    let message = scheduled_condition(&k, "lonely", "False").await;
    assert!(
        message.contains("2 node(s) didn't match pod affinity rules"),
        "{message}"
    );
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            &pod("imposter", "")
                .replace("name: imposter", "name: imposter\n  labels: {app: cache}"),
        ),
    )
    .await;
    let message = scheduled_condition(&k, "imposter", "False").await;
    assert!(
        message.contains("2 node(s) didn't satisfy existing pods anti-affinity rules"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_choose_among_the_nodes_that_fit() {
    let k = Kube::start_with(kubesim::server::SimConfig {
        nodes: 3,
        ..Default::default()
    })
    .await;
    let names = k.ok(&["get", "nodes", "-o", "name"]).await;
    let nodes: Vec<&str> = names
        .lines()
        .map(|n| n.trim_start_matches("node/"))
        .collect();
    assert_eq!(nodes.len(), 3, "{names}");
    // The last node by name has the fast disk; the first carries a soft taint.
    k.ok(&["label", "node", nodes[2], "disk=ssd"]).await;
    k.ok(&["taint", "node", nodes[0], "spot=true:PreferNoSchedule"])
        .await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1
kind: Pod
metadata: {name: wants-ssd}
spec:
  affinity:
    nodeAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 80
        preference: {matchExpressions: [{key: disk, operator: In, values: [ssd]}]}
  containers: [{name: app, image: todo-backend:latest}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: spread}
spec:
  replicas: 2
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector: {matchLabels: {app: spread}}
      containers: [{name: app, image: todo-backend:latest}]
",
        ),
    )
    .await;
    k.ok(&[
        "wait",
        "--for=condition=PodScheduled",
        "pod/wants-ssd",
        "--timeout=10s",
    ])
    .await;
    let on = k
        .ok(&["get", "pod", "wants-ssd", "-o", "jsonpath={.spec.nodeName}"])
        .await;
    assert_eq!(on, nodes[2], "the preferred label wins");
    k.ok(&["rollout", "status", "deployment/spread", "--timeout=10s"])
        .await;
    let placed = k
        .ok(&[
            "get",
            "pods",
            "-l",
            "app=spread",
            "-o",
            "jsonpath={range .items[*]}{.spec.nodeName} {end}",
        ])
        .await;
    let placed: Vec<&str> = placed.split_whitespace().collect();
    assert_eq!(placed.len(), 2, "{placed:?}");
    assert_ne!(placed[0], placed[1], "preferred anti-affinity spreads them");
    assert!(
        !placed.contains(&nodes[0]),
        "a soft taint is avoided while other nodes fit: {placed:?}"
    );
}
