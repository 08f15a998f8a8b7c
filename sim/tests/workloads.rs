//! The workload controllers and storage, driven by the real kubectl: a StatefulSet with
//! claim templates rolling out in order and scaling down from the top, Jobs that complete
//! and fail with the controller's conditions, a CronJob firing on kubesim's clock, a
//! DaemonSet following the nodes, and claims bound, provisioned or left Pending with the
//! PV controller's and scheduler's own words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use kubesim::controllers::ControllerConfig;
use kubesim::kubelet::images::ImageTable;
use kubesim::server::SimConfig;
use support::Kube;

/// Polls `kubectl get` until `done` holds for its output; fails loudly after `limit`.
async fn until(k: &Kube, args: &[&str], limit: Duration, done: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let out = k.run(args, None).await;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() && done(&text) {
            return text;
        }
        assert!(
            start.elapsed() < limit,
            "kubectl {} never satisfied the condition; last output:\n{text}",
            args.join(" ")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const STATEFUL_SET: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 1Gi}
";

#[tokio::test]
async fn a_stateful_set_rolls_out_in_order_with_its_claims_and_scales_down_from_the_top() {
    let k = Kube::start().await;
    k.ok_stdin(&["apply", "-f", "-"], Some(STATEFUL_SET)).await;
    let out = k
        .ok(&["rollout", "status", "statefulset/web", "--timeout=30s"])
        .await;
    assert!(
        out.contains("partitioned roll out complete: 3 new pods have been updated..."),
        "{out}"
    );

    let pods = k
        .ok(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ])
        .await;
    assert_eq!(pods, "web-0 web-1 web-2");
    let hostname = k
        .ok(&[
            "get",
            "pod",
            "web-1",
            "-o",
            "jsonpath={.spec.hostname}.{.spec.subdomain}",
        ])
        .await;
    assert_eq!(hostname, "web-1.web");
    // Each pod has its own claim, provisioned by the default class and bound.
    let claims = k.ok(&["get", "pvc", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase}/{.spec.storageClassName} {end}"]).await;
    assert_eq!(
        claims.trim(),
        "www-web-0=Bound/standard www-web-1=Bound/standard www-web-2=Bound/standard"
    );
    let volume = k
        .ok(&[
            "get",
            "pod",
            "web-2",
            "-o",
            "jsonpath={.spec.volumes[?(@.name==\"www\")].persistentVolumeClaim.claimName}",
        ])
        .await;
    assert_eq!(volume, "www-web-2");
    // They were created in order: the events, in the order they were written, say so.
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.kind=StatefulSet",
            "-o",
            "jsonpath={range .items[*]}{.metadata.resourceVersion} {.message}\n{end}",
        ])
        .await;
    let mut written: Vec<(u64, &str)> = events
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(rv, m)| (rv.parse().unwrap(), m)))
        .collect();
    written.sort();
    let created: Vec<&str> = written
        .iter()
        .map(|(_, m)| *m)
        .filter(|m| m.starts_with("create Pod"))
        .collect();
    assert_eq!(
        created,
        [
            "create Pod web-0 in StatefulSet web successful",
            "create Pod web-1 in StatefulSet web successful",
            "create Pod web-2 in StatefulSet web successful"
        ]
    );
    assert!(
        events.contains("create Claim www-web-0 Pod web-0 in StatefulSet web success"),
        "{events}"
    );

    k.ok(&["scale", "statefulset/web", "--replicas=1"]).await;
    k.ok(&[
        "wait",
        "--for=delete",
        "pod/web-1",
        "pod/web-2",
        "--timeout=20s",
    ])
    .await;
    let ready = until(
        &k,
        &[
            "get",
            "statefulset",
            "web",
            "-o",
            "jsonpath={.status.readyReplicas}/{.status.replicas}",
        ],
        Duration::from_secs(20),
        |s| s == "1/1",
    )
    .await;
    assert_eq!(ready, "1/1");
    // Claims outlive the scale-down (the retention policy keeps them).
    let claims = k.ok(&["get", "pvc", "-o", "name"]).await;
    assert_eq!(claims.lines().count(), 3, "{claims}");

    // A template change rolls pods to the new revision.
    k.ok(&["set", "image", "statefulset/web", "nginx=nginx:1.28"])
        .await;
    let out = k
        .ok(&["rollout", "status", "statefulset/web", "--timeout=30s"])
        .await;
    assert!(
        out.contains("partitioned roll out complete: 1 new pods have been updated..."),
        "{out}"
    );
    let image = k
        .ok(&[
            "get",
            "pod",
            "web-0",
            "-o",
            "jsonpath={.spec.containers[0].image}",
        ])
        .await;
    assert_eq!(image, "nginx:1.28");
    let history = k.ok(&["rollout", "history", "statefulset/web"]).await;
    assert!(
        history
            .lines()
            .filter(|l| l.trim_start().starts_with(char::is_numeric))
            .count()
            >= 2,
        "{history}"
    );
}

#[tokio::test]
async fn claims_bind_provision_or_wait_with_the_controllers_words() {
    let k = Kube::start().await;
    let classes = k.ok(&["get", "storageclass"]).await;
    assert!(
        classes.contains("standard (default)") && classes.contains("k8s.io/minikube-hostpath"),
        "{classes}"
    );
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Gi}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: fast-data}
spec:
  storageClassName: fast
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: manual, labels: {tier: gold}}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  hostPath: {path: /tmp/manual}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: gold}
spec:
  storageClassName: \"\"
  selector: {matchLabels: {tier: gold}}
  accessModes: [ReadOnlyMany]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: uses-fast}
spec:
  containers: [{name: app, image: nginx}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: fast-data}}]
---
apiVersion: v1
kind: Pod
metadata: {name: uses-missing}
spec:
  containers: [{name: app, image: nginx}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: nobody-made-this}}]
",
        ),
    )
    .await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Bound",
        "pvc/data",
        "pvc/gold",
        "--timeout=10s",
    ])
    .await;
    let pv = k
        .ok(&["get", "pvc", "data", "-o", "jsonpath={.spec.volumeName}"])
        .await;
    assert!(pv.starts_with("pvc-"), "{pv}");
    let size = k.ok(&["get", "pv", &pv, "-o", "jsonpath={.spec.capacity.storage} {.spec.persistentVolumeReclaimPolicy} {.status.phase} {.spec.claimRef.name}"]).await;
    assert_eq!(size, "2Gi Delete Bound data");
    // The hand-made volume is found by its label, with the capacity it has.
    let gold = k
        .ok(&[
            "get",
            "pvc",
            "gold",
            "-o",
            "jsonpath={.spec.volumeName} {.status.capacity.storage}",
        ])
        .await;
    assert_eq!(gold, "manual 5Gi");

    // A class nobody made: Pending, with the PV controller's event.
    let events = until(
        &k,
        &[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=fast-data",
            "-o",
            "jsonpath={range .items[*]}{.type} {.reason}: {.message}\n{end}",
        ],
        Duration::from_secs(10),
        |s| !s.is_empty(),
    )
    .await;
    assert!(
        events
            .contains("Warning ProvisioningFailed: storageclass.storage.k8s.io \"fast\" not found"),
        "{events}"
    );
    assert_eq!(
        k.ok(&["get", "pvc", "fast-data", "-o", "jsonpath={.status.phase}"])
            .await,
        "Pending"
    );
    // Pods on claims that cannot bind stay Pending with the scheduler's message.
    let not_helpful =
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    for (pod, reason) in [
        (
            "uses-fast",
            "pod has unbound immediate PersistentVolumeClaims".to_string(),
        ),
        (
            "uses-missing",
            "persistentvolumeclaim \"nobody-made-this\" not found".to_string(),
        ),
    ] {
        k.ok(&[
            "wait",
            &format!("pod/{pod}"),
            "--for=condition=PodScheduled=false",
            "--timeout=10s",
        ])
        .await;
        let message = k
            .ok(&[
                "get",
                "pod",
                pod,
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].message}",
            ])
            .await;
        assert_eq!(
            message,
            format!("0/1 nodes are available: {reason}. {not_helpful}")
        );
    }
    // Once the class exists the claim is provisioned and the pod is scheduled.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: k8s.io/minikube-hostpath
allowVolumeExpansion: true
",
        ),
    )
    .await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Bound",
        "pvc/fast-data",
        "--timeout=10s",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/uses-fast",
        "--timeout=10s",
    ])
    .await;
    // Its class allows expansion: a bigger request grows the claim.
    k.ok(&[
        "patch",
        "pvc",
        "fast-data",
        "-p",
        "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"3Gi\"}}}}",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.capacity.storage}=3Gi",
        "pvc/fast-data",
        "--timeout=10s",
    ])
    .await;
    // The default class does not allow it (minikube's does not either): the resize admission
    // plugin refuses the bigger request, and the claim keeps its size.
    let before = k
        .ok(&[
            "get",
            "pvc",
            "data",
            "-o",
            "jsonpath={.spec.resources.requests.storage}",
        ])
        .await;
    let refused = k
        .run(
            &[
                "patch",
                "pvc",
                "data",
                "-p",
                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"50Gi\"}}}}",
            ],
            None,
        )
        .await;
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("persistentvolumeclaims \"data\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"),
        "{stderr}"
    );
    let after = k
        .ok(&[
            "get",
            "pvc",
            "data",
            "-o",
            "jsonpath={.spec.resources.requests.storage}",
        ])
        .await;
    assert_eq!(before, after);

    // Deleting a claim deletes its provisioned volume (reclaim policy Delete).
    k.ok(&["delete", "pvc", "data"]).await;
    k.ok(&["wait", "--for=delete", &format!("pv/{pv}"), "--timeout=10s"])
        .await;
    // A Retain volume is Released.
    k.ok(&["delete", "pvc", "gold"]).await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Released",
        "pv/manual",
        "--timeout=10s",
    ])
    .await;
}

#[tokio::test]
async fn instant_jobs_complete_and_a_cron_job_fires_on_the_sim_clock() {
    let k = Kube::start_with(SimConfig {
        controllers: ControllerConfig {
            time_scale: 60.0,
            ..Default::default()
        },
        ..SimConfig::default()
    })
    .await;
    k.ok(&[
        "create",
        "job",
        "hello",
        "--image=busybox",
        "--",
        "echo",
        "hi",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=condition=complete",
        "job/hello",
        "--timeout=10s",
    ])
    .await;
    let status = k
        .ok(&[
            "get",
            "job",
            "hello",
            "-o",
            "jsonpath={.status.succeeded} {.status.completionTime}",
        ])
        .await;
    assert!(status.starts_with("1 20"), "{status}");
    let selector = k
        .ok(&[
            "get",
            "job",
            "hello",
            "-o",
            "jsonpath={.spec.selector.matchLabels}",
        ])
        .await;
    assert!(
        selector.contains("batch.kubernetes.io/controller-uid"),
        "{selector}"
    );
    let pod_labels = k
        .ok(&[
            "get",
            "pods",
            "-l",
            "job-name=hello",
            "-o",
            "jsonpath={.items[*].status.phase}",
        ])
        .await;
    assert_eq!(pod_labels, "Succeeded");

    // Every minute on kubesim's clock is one second at a time scale of 60.
    k.ok(&[
        "create",
        "cronjob",
        "tick",
        "--image=busybox",
        "--schedule=*/1 * * * *",
        "--",
        "date",
    ])
    .await;
    let jobs = until(
        &k,
        &[
            "get",
            "jobs",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.metadata.ownerReferences[0].name}\n{end}",
        ],
        Duration::from_secs(15),
        |s| s.lines().filter(|l| l.ends_with(" tick")).count() >= 2,
    )
    .await;
    for line in jobs.lines().filter(|l| l.ends_with(" tick")) {
        let minutes = line.trim_start_matches("tick-").trim_end_matches(" tick");
        assert!(
            minutes.parse::<i64>().is_ok(),
            "job name {line} is <cronjob>-<minutes>"
        );
    }
    let events = until(
        &k,
        &[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=tick",
            "-o",
            "jsonpath={range .items[*]}{.reason}: {.message}\n{end}",
        ],
        Duration::from_secs(15),
        |s| s.contains("SawCompletedJob"),
    )
    .await;
    assert!(
        events.contains("SuccessfulCreate: Created job tick-"),
        "{events}"
    );
    assert!(events.contains("status: Complete"), "{events}");
    let last = k
        .ok(&[
            "get",
            "cronjob",
            "tick",
            "-o",
            "jsonpath={.status.lastScheduleTime}",
        ])
        .await;
    assert!(!last.is_empty());
    // Suspended, it stops making jobs; history keeps at most three successful ones.
    k.ok(&[
        "patch",
        "cronjob",
        "tick",
        "-p",
        "{\"spec\":{\"suspend\":true}}",
    ])
    .await;
    until(
        &k,
        &["get", "jobs", "-o", "name"],
        Duration::from_secs(15),
        |s| s.lines().filter(|l| l.contains("tick-")).count() <= 3,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_processes_succeed_or_fail_against_their_backoff_limit() {
    let mut images = ImageTable::default();
    images
        .add(&format!(
            "busybox={}",
            todo_e2e::kubectl::program("sh").display()
        ))
        .unwrap();
    let k = Kube::processes(images, 20.0).await;
    let job = |name: &str, script: &str, extra: &str| {
        format!(
            "apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
  backoffLimit: 1
{extra}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox:1.36
        command: [sh, -c, '{script}']
"
        )
    };
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&job(
            "works",
            "echo done $JOB_COMPLETION_INDEX",
            "  completions: 2\n  parallelism: 2\n  completionMode: Indexed\n",
        )),
    )
    .await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&job("breaks", "echo broken >&2; exit 2", "")),
    )
    .await;

    k.ok(&[
        "wait",
        "--for=condition=complete",
        "job/works",
        "--timeout=30s",
    ])
    .await;
    let done = k
        .ok(&[
            "get",
            "job",
            "works",
            "-o",
            "jsonpath={.status.succeeded} {.status.completedIndexes}",
        ])
        .await;
    assert_eq!(done, "2 0-1");
    let logs = k
        .ok(&["logs", "-l", "job-name=works", "--prefix=false"])
        .await;
    let mut lines: Vec<&str> = logs.lines().collect();
    lines.sort();
    assert_eq!(lines, ["done 0", "done 1"]);

    k.ok(&[
        "wait",
        "--for=condition=failed",
        "job/breaks",
        "--timeout=30s",
    ])
    .await;
    let failed = k.ok(&["get", "job", "breaks", "-o", "jsonpath={.status.failed} {.status.conditions[?(@.type==\"Failed\")].reason}: {.status.conditions[?(@.type==\"Failed\")].message}"]).await;
    assert_eq!(
        failed,
        "2 BackoffLimitExceeded: Job has reached the specified backoff limit"
    );
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=breaks",
            "-o",
            "jsonpath={range .items[*]}{.reason}\n{end}",
        ])
        .await;
    assert_eq!(
        events.lines().filter(|l| *l == "SuccessfulCreate").count(),
        2,
        "{events}"
    );
    assert!(events.contains("BackoffLimitExceeded"), "{events}");
}

#[tokio::test]
async fn a_daemon_set_runs_one_pod_per_eligible_node() {
    let k = Kube::start().await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: busybox}]
",
        ),
    )
    .await;
    k.ok(&["rollout", "status", "daemonset/agent", "--timeout=10s"])
        .await;
    // A second node joins; a third is tainted and a fourth runs another OS.
    let node = |name: &str, os: &str, taints: &str| {
        format!(
            "apiVersion: v1
kind: Node
metadata:
  name: {name}
  labels: {{kubernetes.io/hostname: {name}, kubernetes.io/os: {os}}}
spec:
  taints: [{taints}]
status:
  allocatable: {{cpu: '2', memory: 4Gi, pods: '110'}}
  capacity: {{cpu: '2', memory: 4Gi, pods: '110'}}
  conditions: [{{type: Ready, status: 'True'}}]
"
        )
    };
    for n in [
        node("second", "linux", ""),
        node(
            "tainted",
            "linux",
            "{key: dedicated, value: db, effect: NoSchedule}",
        ),
        node("win", "windows", ""),
    ] {
        k.ok_stdin(&["apply", "-f", "-"], Some(&n)).await;
    }
    let placed = until(
        &k,
        &[
            "get",
            "pods",
            "-l",
            "app=agent",
            "-o",
            "jsonpath={range .items[*]}{.spec.nodeName} {end}",
        ],
        Duration::from_secs(10),
        |s| s.split_whitespace().count() == 2,
    )
    .await;
    let mut nodes: Vec<&str> = placed.split_whitespace().collect();
    nodes.sort();
    assert_eq!(nodes, ["kubesim", "second"]);
    let status = k
        .ok(&[
            "get",
            "daemonset",
            "agent",
            "-o",
            "jsonpath={.status.desiredNumberScheduled} {.status.numberReady}",
        ])
        .await;
    assert_eq!(status, "2 2");
    k.ok(&["rollout", "status", "daemonset/agent", "--timeout=10s"])
        .await;
    // A cordoned node keeps its daemon pod (daemon pods tolerate the cordon).
    k.ok(&["cordon", "second"]).await;
    k.ok(&["rollout", "status", "daemonset/agent", "--timeout=10s"])
        .await;
    let count = k
        .ok(&["get", "pods", "-l", "app=agent", "-o", "name"])
        .await;
    assert_eq!(count.lines().count(), 2, "{count}");
}

#[tokio::test]
async fn an_autoscaler_keeps_its_bounds_and_says_metrics_are_missing() {
    let k = Kube::start().await;
    k.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx",
        "--replicas=1",
    ])
    .await;
    k.ok(&[
        "autoscale",
        "deployment",
        "web",
        "--min=2",
        "--max=3",
        "--cpu-percent=50",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=condition=AbleToScale=true",
        "hpa/web",
        "--timeout=10s",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.availableReplicas}=2",
        "deployment/web",
        "--timeout=10s",
    ])
    .await;
    let active = k
        .ok(&[
            "get",
            "hpa",
            "web",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"ScalingActive\")].reason}",
        ])
        .await;
    assert_eq!(active, "FailedGetResourceMetric");
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.kind=HorizontalPodAutoscaler",
            "-o",
            "jsonpath={range .items[*]}{.reason}: {.message}\n{end}",
        ])
        .await;
    assert!(events.contains("SuccessfulRescale: New size: 2; reason: Current number of replicas below Spec.MinReplicas"), "{events}");
    // A target that does not exist cannot be scaled, and the condition says why.
    k.ok(&["autoscale", "deployment", "web", "--name=ghost", "--max=2"])
        .await;
    k.ok(&[
        "patch",
        "hpa",
        "ghost",
        "--type=merge",
        "-p",
        "{\"spec\":{\"scaleTargetRef\":{\"name\":\"nothing\"}}}",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=condition=AbleToScale=false",
        "hpa/ghost",
        "--timeout=10s",
    ])
    .await;
    let why = k
        .ok(&[
            "get",
            "hpa",
            "ghost",
            "-o",
            "jsonpath={.status.conditions[0].message}",
        ])
        .await;
    assert_eq!(
        why,
        "the HPA controller was unable to get the target's current scale: deployments/scale.apps \"nothing\" not found"
    );
}

#[tokio::test]
async fn a_paused_rollout_waits_and_an_orphaning_delete_keeps_the_pods() {
    let k = Kube::start().await;
    k.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.27",
        "--replicas=2",
    ])
    .await;
    k.ok(&["rollout", "status", "deployment/web", "--timeout=10s"])
        .await;
    k.ok(&["rollout", "pause", "deployment/web"]).await;
    k.ok(&["set", "image", "deployment/web", "nginx=nginx:1.28"])
        .await;
    let paused = until(
        &k,
        &[
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}",
        ],
        Duration::from_secs(10),
        |s| s == "DeploymentPaused",
    )
    .await;
    assert_eq!(paused, "DeploymentPaused");
    // No ReplicaSet for the new template while paused; scaling still works.
    k.ok(&["scale", "deployment/web", "--replicas=3"]).await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.readyReplicas}=3",
        "deployment/web",
        "--timeout=10s",
    ])
    .await;
    let sets = k.ok(&["get", "rs", "-o", "name"]).await;
    assert_eq!(sets.lines().count(), 1, "{sets}");
    let images = k
        .ok(&[
            "get",
            "pods",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ])
        .await;
    assert!(
        images.split_whitespace().all(|i| i == "nginx:1.27"),
        "{images}"
    );
    k.ok(&["rollout", "resume", "deployment/web"]).await;
    k.ok(&["rollout", "status", "deployment/web", "--timeout=10s"])
        .await;
    let images = until(
        &k,
        &[
            "get",
            "pods",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ],
        Duration::from_secs(10),
        |s| s.split_whitespace().count() == 3 && s.split_whitespace().all(|i| i == "nginx:1.28"),
    )
    .await;
    assert!(!images.is_empty());

    // --cascade=orphan leaves the ReplicaSet and its pods, without the owner reference.
    k.ok(&["delete", "deployment", "web", "--cascade=orphan"])
        .await;
    let owners = until(
        &k,
        &[
            "get",
            "rs",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}:{.metadata.ownerReferences}{\"\\n\"}{end}",
        ],
        Duration::from_secs(10),
        |s| !s.trim().is_empty() && s.lines().all(|l| l.ends_with(':')),
    )
    .await;
    assert!(!owners.is_empty());
    let pods = k.ok(&["get", "pods", "-o", "name"]).await;
    assert_eq!(pods.lines().count(), 3, "{pods}");
}

#[tokio::test]
async fn instant_pods_complete_their_init_containers_first() {
    let k = Kube::start().await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1
kind: Pod
metadata: {name: staged}
spec:
  initContainers: [{name: migrate, image: busybox}]
  containers: [{name: app, image: nginx}]
",
        ),
    )
    .await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/staged",
        "--timeout=10s",
    ])
    .await;
    let row = k.ok(&["get", "pod", "staged", "--no-headers"]).await;
    assert!(row.contains("Running"), "{row}");
    let init = k
        .ok(&[
            "get",
            "pod",
            "staged",
            "-o",
            "jsonpath={.status.initContainerStatuses[0].state.terminated.reason}",
        ])
        .await;
    assert_eq!(init, "Completed");
}

/// Regression: `kubectl create deployment` sends `strategy: {}`, which the API server
/// defaults field by field; kubesim took the empty object as set, resolved no surge and no
/// unavailability, and a broken rollout of one replica deleted the working pod first.
#[tokio::test]
async fn an_empty_strategy_is_defaulted_and_a_broken_rollout_keeps_the_old_pod() {
    let mut images = ImageTable::default();
    images.add_stock();
    assert!(
        images.resolve("busybox").is_some(),
        "busybox must be installed (scripts/setup installs busybox-static)"
    );
    let k = Kube::processes(images, 10.0).await;
    k.ok(&[
        "create",
        "deployment",
        "web",
        "--image=busybox:1.36",
        "--",
        "sleep",
        "3600",
    ])
    .await;
    let strategy = k
        .ok(&[
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.spec.strategy}",
        ])
        .await;
    let strategy: serde_json::Value = serde_json::from_str(&strategy).unwrap();
    assert_eq!(
        strategy,
        serde_json::json!({"type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
    );
    k.ok(&["rollout", "status", "deployment/web", "--timeout=10s"])
        .await;
    k.ok(&[
        "set",
        "image",
        "deployment/web",
        "busybox=busybox:invalid-tag",
    ])
    .await;
    until(
        &k,
        &[
            "get",
            "pods",
            "-o",
            "jsonpath={.items[*].status.containerStatuses[*].state.waiting.reason}",
        ],
        Duration::from_secs(10),
        |s| s.contains("ErrImagePull") || s.contains("ImagePullBackOff"),
    )
    .await;
    // 25% of one replica: one pod may surge, none may be unavailable.
    let available = k
        .ok(&[
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.status.availableReplicas}",
        ])
        .await;
    assert_eq!(available, "1");
    let pods = k.ok(&["get", "pods", "-o", "name"]).await;
    assert_eq!(pods.lines().count(), 2, "{pods}");
}

/// The autoscaler reads the pods' measured CPU (the usage `kubectl top` shows) against their
/// requests: a busy pod over its target is scaled up with the controller's reason, idle pods
/// are scaled down once the stabilization window has passed, and a pod without a CPU
/// request is the controller's error naming the container.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_autoscaler_scales_on_the_cpu_its_pods_use() {
    let mut images = ImageTable::default();
    images.add_stock();
    // Time scale 100: a 15 s sync period is 0.15 s, the 300 s scale-down window 3 s.
    let k = Kube::processes(images, 100.0).await;
    let deployment = |name: &str, replicas: u32, script: &str, requests: &str| {
        format!(
            "apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: busybox:1.36
        command: [\"sh\", \"-c\", \"{script}\"]
        resources: {requests}
"
        )
    };
    for (name, replicas, script, requests) in [
        ("burn", 1, "while :; do :; done", "{requests: {cpu: 100m}}"),
        ("idle", 3, "sleep 3600", "{requests: {cpu: 100m}}"),
        ("bare", 1, "sleep 3600", "{}"),
    ] {
        k.ok_stdin(
            &["apply", "-f", "-"],
            Some(&deployment(name, replicas, script, requests)),
        )
        .await;
        k.ok(&[
            "rollout",
            "status",
            &format!("deployment/{name}"),
            "--timeout=30s",
        ])
        .await;
        k.ok(&[
            "autoscale",
            "deployment",
            name,
            "--min=1",
            "--max=2",
            "--cpu-percent=50",
        ])
        .await;
    }
    // The busy pod uses about a whole CPU against 50 % of 100m: up to the maximum.
    until(
        &k,
        &[
            "get",
            "deployment",
            "burn",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
        Duration::from_secs(30),
        |r| r == "2",
    )
    .await;
    let hpa = k.json(&["get", "hpa", "burn"]).await;
    let used = hpa["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"]
        .as_i64()
        .unwrap_or_default();
    assert!(used > 100, "{hpa}");
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=burn,reason=SuccessfulRescale",
            "-o",
            "jsonpath={.items[*].message}",
        ])
        .await;
    assert!(
        events.contains(
            "New size: 2; reason: cpu resource utilization (percentage of request) above target"
        ) || events
            .contains("New size: 2; reason: Current number of replicas above Spec.MaxReplicas"),
        "{events}"
    );
    let table = k.ok(&["get", "hpa", "burn"]).await;
    assert!(
        table.contains("cpu: ") && table.contains("%/50%"),
        "{table}"
    );
    k.ok(&["delete", "deployment", "burn"]).await;

    // The idle pods come down to the minimum after the window, saying why.
    until(
        &k,
        &[
            "get",
            "deployment",
            "idle",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
        Duration::from_secs(30),
        |r| r == "1",
    )
    .await;
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=idle,reason=SuccessfulRescale",
            "-o",
            "jsonpath={.items[*].message}",
        ])
        .await;
    assert!(
        events.contains("reason: All metrics below target"),
        "{events}"
    );

    // No CPU request: nothing to take a percentage of.
    let why = until(
        &k,
        &[
            "get",
            "hpa",
            "bare",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"ScalingActive\")].message}",
        ],
        Duration::from_secs(30),
        |m| m.contains("missing request"),
    )
    .await;
    assert!(
        why.starts_with("the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container main of Pod bare-"),
        "{why}"
    );
}
