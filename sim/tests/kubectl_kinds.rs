//! The kinds third-party charts and tutorials use, field validation, `explain`, the objects
//! every cluster has and the server's defaults — each judged by the real kubectl.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::Kube;

/// One of each kind, as a chart or tutorial writes them (and no scenario of ours does).
const KINDS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: checkout, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: shop}
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: checkout-reads-pods, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects:
- {kind: ServiceAccount, name: checkout, namespace: shop}
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-viewer}
rules:
- apiGroups: [""]
  resources: [nodes]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-view-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-viewer}
subjects:
- {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-frontend, namespace: shop}
spec:
  podSelector: {matchLabels: {app: checkout}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: storefront}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: storefront, port: {number: 80}}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: small, namespace: shop}
spec: {hard: {pods: "10", requests.cpu: "2", limits.memory: 4Gi}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
  - type: Container
    default: {memory: 256Mi}
    defaultRequest: {memory: 128Mi}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  template:
    metadata: {labels: {job: migrate}}
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "busybox:1.36", command: [sh, -c, "echo done"]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: "busybox:1.36", args: [date]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: log-agent, namespace: shop}
spec:
  selector: {matchLabels: {app: log-agent}}
  template:
    metadata: {labels: {app: log-agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: "fluent/fluent-bit:3.0"}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: disk-1}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: fast
  hostPath: {path: /tmp/disk-1}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: critical}
value: 100000
description: checkout must run
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: checkout-leader, namespace: shop}
spec: {holderIdentity: checkout-0, leaseDurationSeconds: 15}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: carts.shop.example.com}
spec:
  group: shop.example.com
  scope: Namespaced
  names: {plural: carts, singular: cart, kind: Cart}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"#;

fn table_row<'a>(out: &'a str, name: &str) -> Vec<&'a str> {
    out.lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row for {name} in:\n{out}"))
        .split_whitespace()
        .collect()
}

#[tokio::test]
async fn chart_kinds_are_served_with_tables_describe_and_delete() {
    let k = Kube::start().await;
    let applied = k.ok_stdin(&["apply", "-f", "-"], Some(KINDS)).await;
    for created in [
        "role.rbac.authorization.k8s.io/pod-reader created",
        "clusterrolebinding.rbac.authorization.k8s.io/ops-view-nodes created",
        "networkpolicy.networking.k8s.io/only-frontend created",
        "ingress.networking.k8s.io/shop created",
        "cronjob.batch/nightly created",
        "daemonset.apps/log-agent created",
        "storageclass.storage.k8s.io/fast created",
        "customresourcedefinition.apiextensions.k8s.io/carts.shop.example.com created",
    ] {
        assert!(
            applied.contains(created),
            "{created} missing from:\n{applied}"
        );
    }
    // Applying the same manifests again changes nothing.
    let again = k.ok_stdin(&["apply", "-f", "-"], Some(KINDS)).await;
    assert!(!again.contains("configured"), "{again}");

    let rb = k
        .ok(&["get", "rolebinding", "-n", "shop", "-o", "wide"])
        .await;
    let row = table_row(&rb, "checkout-reads-pods");
    assert_eq!(row[1], "Role/pod-reader", "{rb}");
    assert!(rb.contains("shop/checkout") && rb.contains("alice"), "{rb}");
    let ing = k.ok(&["get", "ingress", "-n", "shop"]).await;
    assert_eq!(
        table_row(&ing, "shop")[1..3],
        ["nginx", "shop.example.com"],
        "{ing}"
    );
    let sc = k.ok(&["get", "sc"]).await;
    assert_eq!(
        table_row(&sc, "fast")[1..4],
        ["(default)", "kubernetes.io/no-provisioner", "Delete"],
        "{sc}"
    );
    let pv = k.ok(&["get", "pv", "disk-1"]).await;
    assert_eq!(
        table_row(&pv, "disk-1")[1..4],
        ["5Gi", "RWO", "Retain"],
        "{pv}"
    );
    let cj = k.ok(&["get", "cj", "-n", "shop"]).await;
    assert_eq!(
        table_row(&cj, "nightly")[1..6],
        ["0", "3", "*", "*", "*"],
        "{cj}"
    );
    let ds = k.ok(&["get", "ds", "-n", "shop"]).await;
    assert!(
        table_row(&ds, "log-agent").contains(&"kubernetes.io/os=linux"),
        "{ds}"
    );
    let pc = k.ok(&["get", "priorityclass", "critical"]).await;
    assert_eq!(table_row(&pc, "critical")[1], "100000", "{pc}");
    let netpol = k.ok(&["get", "netpol", "-n", "shop"]).await;
    assert_eq!(
        table_row(&netpol, "only-frontend")[1],
        "app=checkout",
        "{netpol}"
    );

    // What the API server fills in on create.
    let job = k.json(&["get", "job", "migrate", "-n", "shop"]).await;
    assert_eq!(job["spec"]["backoffLimit"], 6);
    assert_eq!(
        job["spec"]["template"]["spec"]["serviceAccountName"],
        "default"
    );
    let np = k
        .json(&["get", "netpol", "only-frontend", "-n", "shop"])
        .await;
    assert_eq!(np["spec"]["policyTypes"], serde_json::json!(["Ingress"]));
    let ds = k.json(&["get", "ds", "log-agent", "-n", "shop"]).await;
    assert_eq!(ds["spec"]["updateStrategy"]["type"], "RollingUpdate");

    let described = k
        .ok(&[
            "describe",
            "rolebinding",
            "checkout-reads-pods",
            "-n",
            "shop",
        ])
        .await;
    assert!(
        described.contains("ServiceAccount  checkout"),
        "{described}"
    );
    let described = k.ok(&["describe", "quota", "small", "-n", "shop"]).await;
    assert!(described.contains("limits.memory"), "{described}");

    let deleted = k.ok_stdin(&["delete", "-f", "-"], Some(KINDS)).await;
    assert!(
        deleted.contains("role.rbac.authorization.k8s.io \"pod-reader\" deleted"),
        "{deleted}"
    );
    // The namespace terminates first; its contents go with it.
    let phase = k
        .run(
            &["get", "ns", "shop", "-o", "jsonpath={.status.phase}"],
            None,
        )
        .await;
    let phase = String::from_utf8_lossy(&phase.stdout).into_owned();
    assert!(phase == "Terminating" || phase.is_empty(), "{phase}");
    let refused = k
        .run(&["create", "configmap", "late", "-n", "shop"], None)
        .await;
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        phase.is_empty() || err.contains("because it is being terminated"),
        "{err}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while k.run(&["get", "ns", "shop"], None).await.status.success() {
        assert!(
            Instant::now() < deadline,
            "namespace shop was never removed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(k.ok(&["get", "roles", "-A"]).await.is_empty());
    let gone = k.run(&["get", "clusterrole", "node-viewer"], None).await;
    assert!(
        String::from_utf8_lossy(&gone.stderr)
            .contains("clusterroles.rbac.authorization.k8s.io \"node-viewer\" not found"),
        "{}",
        String::from_utf8_lossy(&gone.stderr)
    );
}

const TYPO: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replica: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolcy: IfNotPresent
"#;

#[tokio::test]
async fn field_validation_strict_warn_and_ignore_as_a_real_server() {
    let k = Kube::start().await;
    let strict = k
        .run(&["apply", "--validate=strict", "-f", "-"], Some(TYPO))
        .await;
    let err = String::from_utf8_lossy(&strict.stderr);
    assert!(!strict.status.success());
    assert!(
        err.contains("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\", unknown field \"spec.template.spec.containers[0].imagePullPolcy\""),
        "{err}"
    );
    assert!(
        !k.run(&["get", "deploy", "web"], None)
            .await
            .status
            .success(),
        "a refused object was stored"
    );

    // Warn: stored without the unknown fields, and kubectl prints the server's warnings.
    let warn = k
        .run(&["apply", "--validate=warn", "-f", "-"], Some(TYPO))
        .await;
    assert!(
        warn.status.success(),
        "{}",
        String::from_utf8_lossy(&warn.stderr)
    );
    let err = String::from_utf8_lossy(&warn.stderr);
    assert!(
        err.contains("Warning: unknown field \"spec.replica\""),
        "{err}"
    );
    let web = k.json(&["get", "deploy", "web"]).await;
    assert!(web["spec"].get("replica").is_none());
    assert_eq!(
        web["spec"]["replicas"], 1,
        "the default, since `replica` is not a field"
    );

    // `kubectl patch` leaves validation to the server's default (Warn): the typo is
    // dropped with a warning, nothing changes.
    let patched = k
        .run(
            &[
                "patch",
                "deploy",
                "web",
                "--type=merge",
                "-p",
                r#"{"spec":{"replicass":3}}"#,
            ],
            None,
        )
        .await;
    assert!(patched.status.success());
    let err = String::from_utf8_lossy(&patched.stderr);
    assert!(
        err.contains("Warning: unknown field \"spec.replicass\""),
        "{err}"
    );
    assert_eq!(
        k.json(&["get", "deploy", "web"]).await["spec"]["replicas"],
        1
    );
    // An update with a typo under --validate=strict is refused, and nothing is stored.
    let mut manifest = k.json(&["get", "deploy", "web"]).await;
    manifest["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always".into();
    manifest["spec"]["replicas"] = 4.into();
    let replaced = k
        .run(
            &["replace", "--validate=strict", "-f", "-"],
            Some(&manifest.to_string()),
        )
        .await;
    assert!(!replaced.status.success());
    let err = String::from_utf8_lossy(&replaced.stderr);
    assert!(err.contains("strict decoding error: unknown field \"spec.template.spec.containers[0].imagePullPolcy\""), "{err}");
    assert_eq!(
        k.json(&["get", "deploy", "web"]).await["spec"]["replicas"],
        1
    );

    // A value of the wrong type is refused whatever the validation level.
    let wrong = TYPO
        .replace("replica: 2", "replicas: two")
        .replace("imagePullPolcy", "imagePullPolicy");
    let out = k
        .run(&["apply", "--validate=false", "-f", "-"], Some(&wrong))
        .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot be handled as a Deployment") && err.contains("spec.replicas"),
        "{err}"
    );
}

#[tokio::test]
async fn explain_reads_the_schemas() {
    let k = Kube::start().await;
    let out = k.ok(&["explain", "deployment.spec.replicas"]).await;
    assert!(
        out.contains("GROUP:      apps") && out.contains("Number of desired pods"),
        "{out}"
    );
    let out = k.ok(&["explain", "networkpolicies.spec.podSelector"]).await;
    assert!(out.contains("KIND:       NetworkPolicy"), "{out}");
    let out = k
        .ok(&["explain", "pods.spec.containers.livenessProbe.httpGet"])
        .await;
    assert!(out.contains("scheme"), "{out}");
}

async fn until(k: &Kube, args: &[&str], want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = k.run(args, None).await;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if text.contains(want) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "kubectl {} never showed {want:?}: {text}",
            args.join(" ")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn every_cluster_has_a_default_service_account_and_the_kubernetes_service() {
    let k = Kube::start().await;
    let svc = k.ok(&["get", "svc", "kubernetes", "-n", "default"]).await;
    assert_eq!(
        table_row(&svc, "kubernetes")[1..3],
        ["ClusterIP", "10.96.0.1"],
        "{svc}"
    );
    until(&k, &["get", "sa", "-n", "default"], "default").await;
    k.ok(&["create", "namespace", "team-a"]).await;
    until(&k, &["get", "sa", "default", "-n", "team-a"], "default").await;
}

const PROBED: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: probed, labels: {app: probed}}
spec:
  containers:
  - name: app
    image: registry.example.com/app:2.1
    livenessProbe:
      httpGet: {path: /health, port: 8080}
"#;

#[tokio::test]
async fn describe_shows_defaulted_probes_and_get_all_lists_workloads_only() {
    let k = Kube::start().await;
    k.ok_stdin(&["apply", "-f", "-"], Some(PROBED)).await;
    k.ok(&["create", "configmap", "settings", "--from-literal=a=b"])
        .await;
    let described = k.ok(&["describe", "pod", "probed"]).await;
    assert!(
        described.contains(
            "http-get http://:8080/health delay=0s timeout=1s period=10s #success=1 #failure=3"
        ),
        "{described}"
    );
    let pod = k.json(&["get", "pod", "probed"]).await;
    let tolerations: Vec<&Value> = pod["spec"]["tolerations"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(tolerations.len(), 2, "{tolerations:?}");
    let all = k.ok(&["get", "all"]).await;
    assert!(
        all.contains("pod/probed") && all.contains("service/kubernetes"),
        "{all}"
    );
    assert!(
        !all.contains("configmap"),
        "ConfigMaps are not in the `all` category:\n{all}"
    );
}

const QUOTA: &str = r#"
apiVersion: v1
kind: ResourceQuota
metadata: {name: team}
spec: {hard: {pods: "2", requests.memory: 1Gi, count/deployments.apps: "1"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: sizes}
spec:
  limits:
  - type: Container
    defaultRequest: {memory: 256Mi}
    default: {memory: 512Mi}
    max: {memory: 1Gi}
"#;

fn pod(name: &str, resources: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources: {resources}\n"
    )
}

#[tokio::test]
async fn quota_and_limit_range_are_enforced_on_create_with_the_real_messages() {
    let k = Kube::start().await;
    k.ok_stdin(&["apply", "-f", "-"], Some(QUOTA)).await;

    // LimitRange fills what the container leaves out.
    k.ok_stdin(&["apply", "-f", "-"], Some(&pod("a", "{}")))
        .await;
    let a = k.json(&["get", "pod", "a"]).await;
    assert_eq!(
        a["spec"]["containers"][0]["resources"]["requests"]["memory"],
        "256Mi"
    );
    assert_eq!(
        a["spec"]["containers"][0]["resources"]["limits"]["memory"],
        "512Mi"
    );

    // Above the LimitRange's max.
    let big = k
        .run(
            &["apply", "-f", "-"],
            Some(&pod("big", "{limits: {memory: 2Gi}}")),
        )
        .await;
    let err = String::from_utf8_lossy(&big.stderr);
    assert!(
        err.contains(
            "pods \"big\" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi"
        ),
        "{err}"
    );

    // Within the LimitRange, but over what the quota has left: 256Mi used + 800Mi > 1Gi.
    let over = k
        .run(
            &["apply", "-f", "-"],
            Some(&pod(
                "b",
                "{requests: {memory: 800Mi}, limits: {memory: 1Gi}}",
            )),
        )
        .await;
    let err = String::from_utf8_lossy(&over.stderr);
    assert!(
        err.contains("pods \"b\" is forbidden: exceeded quota: team, requested: requests.memory=800Mi, used: requests.memory=256Mi, limited: requests.memory=1Gi"),
        "{err}"
    );

    // The quota controller reports usage, as describe shows it.
    let described = until(&k, &["describe", "quota", "team"], "256Mi").await;
    assert_eq!(
        table_row(&described, "pods"),
        ["pods", "1", "2"],
        "{described}"
    );
    assert_eq!(
        table_row(&described, "requests.memory")[1..],
        ["256Mi", "1Gi"],
        "{described}"
    );

    // Controllers go through admission too: the second Deployment is refused, and a
    // ReplicaSet that would exceed `pods` records FailedCreate with the quota's message.
    k.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.27",
        "--replicas=3",
    ])
    .await;
    let second = k
        .run(&["create", "deployment", "api", "--image=nginx:1.27"], None)
        .await;
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("exceeded quota: team, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    until(
        &k,
        &["get", "events", "--field-selector", "reason=FailedCreate"],
        "exceeded quota: team",
    )
    .await;
}

/// `kubectl create …` subcommands use typed clients, which send protobuf bodies.
#[tokio::test]
async fn tutorial_create_commands_work_in_protobuf() {
    let k = Kube::start().await;
    for args in [
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx:1.27",
            "--replicas=2",
            "--port=80",
        ][..],
        &["create", "service", "clusterip", "web", "--tcp=80:8080"],
        &["create", "service", "nodeport", "web-np", "--tcp=80:8080"],
        &["create", "serviceaccount", "bot"],
        &[
            "create",
            "pdb",
            "web-pdb",
            "--selector=app=web",
            "--min-available=1",
        ],
        &[
            "create",
            "role",
            "pod-reader",
            "--verb=get,list,watch",
            "--resource=pods,pods/log",
        ],
        &[
            "create",
            "rolebinding",
            "bot-reads",
            "--role=pod-reader",
            "--serviceaccount=default:bot",
            "--user=alice",
        ],
        &[
            "create",
            "clusterrole",
            "node-reader",
            "--verb=get,list",
            "--resource=nodes",
        ],
        &[
            "create",
            "clusterrolebinding",
            "ops-nodes",
            "--clusterrole=node-reader",
            "--group=ops",
        ],
        &[
            "create",
            "job",
            "hello",
            "--image=busybox:1.36",
            "--",
            "echo",
            "hi",
        ],
        &[
            "create",
            "cronjob",
            "nightly",
            "--image=busybox:1.36",
            "--schedule=*/5 * * * *",
            "--",
            "date",
        ],
        &["create", "job", "manual", "--from=cronjob/nightly"],
        &["create", "quota", "small", "--hard=pods=5,requests.cpu=2"],
        &[
            "create",
            "ingress",
            "web",
            "--rule=shop.example.com/=web:80",
            "--class=nginx",
        ],
        &[
            "create",
            "priorityclass",
            "high",
            "--value=1000",
            "--description=important",
        ],
        &[
            "create",
            "secret",
            "generic",
            "creds",
            "--from-literal=user=admin",
        ],
    ] {
        k.ok(args).await;
    }
    let d = k.json(&["get", "deploy", "web"]).await;
    assert_eq!(d["spec"]["replicas"], 2);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        (c["image"].as_str(), c["ports"][0]["containerPort"].as_i64()),
        (Some("nginx:1.27"), Some(80))
    );
    assert_eq!(d["spec"]["selector"]["matchLabels"]["app"], "web");
    assert!(d["metadata"]["creationTimestamp"].is_string());
    let svc = k.json(&["get", "svc", "web"]).await;
    assert_eq!(
        svc["spec"]["ports"][0]["targetPort"], 8080,
        "an int IntOrString"
    );
    assert_eq!(
        k.json(&["get", "svc", "web-np"]).await["spec"]["type"],
        "NodePort"
    );
    assert_eq!(
        k.json(&["get", "pdb", "web-pdb"]).await["spec"]["minAvailable"],
        1
    );
    let role = k.json(&["get", "role", "pod-reader"]).await;
    assert_eq!(
        role["rules"][0]["resources"],
        serde_json::json!(["pods", "pods/log"])
    );
    let rb = k.json(&["get", "rolebinding", "bot-reads"]).await;
    assert_eq!(rb["roleRef"]["name"], "pod-reader");
    assert_eq!(rb["subjects"].as_array().map(Vec::len), Some(2));
    let job = k.json(&["get", "job", "hello"]).await;
    assert_eq!(
        job["spec"]["template"]["spec"]["containers"][0]["command"],
        serde_json::json!(["echo", "hi"])
    );
    let manual = k.json(&["get", "job", "manual"]).await;
    assert_eq!(
        manual["spec"]["template"]["spec"]["containers"][0]["command"],
        serde_json::json!(["date"])
    );
    assert_eq!(
        k.json(&["get", "quota", "small"]).await["spec"]["hard"]["requests.cpu"],
        "2"
    );
    let ing = k.json(&["get", "ingress", "web"]).await;
    let backend = &ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
    assert_eq!(
        (backend["name"].as_str(), backend["port"]["number"].as_i64()),
        (Some("web"), Some(80))
    );
    assert_eq!(
        k.json(&["get", "priorityclass", "high"]).await["value"],
        1000
    );
    let secret = k.json(&["get", "secret", "creds"]).await;
    assert_eq!(secret["data"]["user"], "YWRtaW4=");
}

async fn can_i(k: &Kube, args: &[&str]) -> String {
    let out = k.run(&[&["auth", "can-i"][..], args].concat(), None).await;
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const ACCESS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: web}
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-reads-pods, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-edits, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: deployer, namespace: web}]
"#;

#[tokio::test]
async fn rbac_with_impersonation_answers_as_a_real_server() {
    let k = Kube::start().await;
    k.ok_stdin(&["apply", "-f", "-"], Some(ACCESS)).await;
    // A user bound by a RoleBinding: only what the Role says, only in its namespace.
    assert_eq!(
        can_i(&k, &["list", "pods", "-n", "web", "--as=alice"]).await,
        "yes"
    );
    assert_eq!(
        can_i(&k, &["get", "pods/log", "-n", "web", "--as=alice"]).await,
        "yes"
    );
    assert_eq!(
        can_i(&k, &["delete", "pods", "-n", "web", "--as=alice"]).await,
        "no"
    );
    assert_eq!(
        can_i(&k, &["list", "pods", "-n", "default", "--as=alice"]).await,
        "no"
    );
    assert_eq!(
        can_i(&k, &["list", "secrets", "-n", "web", "--as=alice"]).await,
        "no"
    );
    // A service account bound to the aggregated `edit` ClusterRole.
    let sa = "--as=system:serviceaccount:web:deployer";
    assert_eq!(
        can_i(&k, &["create", "deployments.apps", "-n", "web", sa]).await,
        "yes"
    );
    assert_eq!(
        can_i(&k, &["patch", "deployments.apps/scale", "-n", "web", sa]).await,
        "yes"
    );
    assert_eq!(
        can_i(
            &k,
            &[
                "create",
                "rolebindings.rbac.authorization.k8s.io",
                "-n",
                "web",
                sa
            ]
        )
        .await,
        "no"
    );
    assert_eq!(can_i(&k, &["list", "nodes", sa]).await, "no");
    // The admin may do anything; a group it impersonates counts.
    assert_eq!(can_i(&k, &["delete", "nodes"]).await, "yes");
    assert_eq!(
        can_i(
            &k,
            &["delete", "nodes", "--as=bob", "--as-group=system:masters"]
        )
        .await,
        "yes"
    );

    // A forbidden request carries the real message, naming the user.
    let out = k
        .run(&["get", "pods", "-n", "default", "--as=alice"], None)
        .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""),
        "{err}"
    );
    let out = k
        .run(&["delete", "secret", "x", "-n", "web", sa], None)
        .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("User \"system:serviceaccount:web:deployer\"")
            || err.contains("secrets \"x\" not found"),
        "{err}"
    );

    // can-i --list and whoami.
    let list = k
        .ok(&["auth", "can-i", "--list", "-n", "web", "--as=alice"])
        .await;
    assert!(
        list.lines()
            .any(|l| l.starts_with("pods ") && l.contains("[get list]")),
        "{list}"
    );
    assert!(
        list.contains("selfsubjectaccessreviews.authorization.k8s.io"),
        "{list}"
    );
    let who = k
        .ok(&["auth", "whoami", "--as=alice", "--as-group=devs"])
        .await;
    assert!(
        who.contains("alice") && who.contains("devs") && who.contains("system:authenticated"),
        "{who}"
    );
    let who = k.ok(&["auth", "whoami", "-o", "json"]).await;
    assert!(
        who.contains("kubesim-admin") && who.contains("system:masters"),
        "{who}"
    );

    // The read-only viewer may not impersonate anyone.
    let out = k
        .run(
            &["--context", "kubesim-viewer", "get", "pods", "--as=alice"],
            None,
        )
        .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("users \"alice\" is forbidden: User \"kubesim-viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"),
        "{err}"
    );
    // A token for the service account authenticates as it.
    let token = k
        .ok(&["create", "token", "deployer", "-n", "web", "--duration=1h"])
        .await;
    let token = token.trim();
    assert!(!token.is_empty());
    let who = k.ok(&["--token", token, "auth", "whoami"]).await;
    assert!(who.contains("system:serviceaccount:web:deployer"), "{who}");
    k.ok(&["--token", token, "get", "pods", "-n", "web"]).await;
    let out = k.run(&["--token", token, "get", "nodes"], None).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nodes is forbidden: User \"system:serviceaccount:web:deployer\" cannot list resource \"nodes\" in API group \"\" at the cluster scope"),
        "{err}"
    );
    let out = k
        .run(&["--token", "not-a-token", "get", "pods"], None)
        .await;
    assert!(String::from_utf8_lossy(&out.stderr).contains("Unauthorized"));

    // Aggregation: a role labelled to join `view` extends it.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: view-leases\n  labels: {rbac.authorization.k8s.io/aggregate-to-view: \"true\"}\nrules:\n- {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, list]}\n"),
    )
    .await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: carol-views}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]\n"),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while can_i(
        &k,
        &[
            "list",
            "leases.coordination.k8s.io",
            "-n",
            "web",
            "--as=carol",
        ],
    )
    .await
        != "yes"
    {
        assert!(
            Instant::now() < deadline,
            "the aggregated view role never gained leases"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        can_i(&k, &["get", "secrets", "-n", "web", "--as=carol"]).await,
        "no"
    );
}

#[tokio::test]
async fn lists_page_with_limit_and_continue_and_unknown_kinds_name_themselves() {
    let k = Kube::start().await;
    for i in 0..5 {
        k.ok(&[
            "create",
            "configmap",
            &format!("cm-{i}"),
            "--from-literal=a=b",
        ])
        .await;
    }
    let first: Value = serde_json::from_str(
        &k.ok(&[
            "get",
            "--raw",
            "/api/v1/namespaces/default/configmaps?limit=2",
        ])
        .await,
    )
    .unwrap();
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first), ["cm-0", "cm-1"]);
    // Five, and the namespace's kube-root-ca.crt (after cm-* by name): six in all.
    assert_eq!(first["metadata"]["remainingItemCount"], 4);
    let token = first["metadata"]["continue"].as_str().unwrap();
    let second: Value = serde_json::from_str(
        &k.ok(&[
            "get",
            "--raw",
            &format!("/api/v1/namespaces/default/configmaps?limit=2&continue={token}"),
        ])
        .await,
    )
    .unwrap();
    assert_eq!(names(&second), ["cm-2", "cm-3"]);
    let bad = k
        .run(
            &[
                "get",
                "--raw",
                "/api/v1/namespaces/default/configmaps?limit=2&continue=garbage",
            ],
            None,
        )
        .await;
    assert!(String::from_utf8_lossy(&bad.stderr).contains("continue key is not valid"));

    // kubectl follows the tokens: every ConfigMap, one request per item.
    let out = k
        .run(&["get", "configmaps", "--chunk-size=1", "-v=6"], None)
        .await;
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        listed.lines().filter(|l| l.starts_with("cm-")).count(),
        5,
        "{listed}"
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.matches("continue=").count() >= 4, "{log}");

    // A kind nobody serves: kubectl names it, as on a cluster without that API.
    let out = k
        .run(
            &["apply", "-f", "-"],
            Some("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"),
        )
        .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no matches for kind \"Widget\" in version \"example.com/v1\""),
        "{err}"
    );
}

#[tokio::test]
async fn one_object_many_versions_autoscalers_and_events() {
    let k = Kube::start().await;
    k.ok(&["create", "deployment", "web", "--image=nginx:1.27"])
        .await;
    // kubectl v1.32 creates an autoscaling/v1 HPA; it is the same object in v2.
    k.ok(&[
        "autoscale",
        "deployment",
        "web",
        "--min=2",
        "--max=5",
        "--cpu-percent=60",
    ])
    .await;
    let v2 = k.json(&["get", "hpa", "web"]).await;
    assert_eq!(v2["apiVersion"], "autoscaling/v2");
    assert_eq!(
        v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        60
    );
    let v1 = k
        .json(&["get", "horizontalpodautoscalers.v1.autoscaling", "web"])
        .await;
    assert_eq!(v1["apiVersion"], "autoscaling/v1");
    assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 60);
    assert_eq!(v1["metadata"]["uid"], v2["metadata"]["uid"]);
    // A change through v2 shows in v1.
    k.ok(&[
        "patch",
        "hpa",
        "web",
        "--type=merge",
        "-p",
        r#"{"spec":{"maxReplicas":7}}"#,
    ])
    .await;
    let v1 = k
        .json(&["get", "horizontalpodautoscalers.v1.autoscaling", "web"])
        .await;
    assert_eq!(v1["spec"]["maxReplicas"], 7);

    // A core Event is an events.k8s.io/v1 Event too, with the new field names.
    k.ok_stdin(
        &["create", "-f", "-"],
        Some("apiVersion: v1\nkind: Event\nmetadata: {name: web.1}\ninvolvedObject: {kind: Deployment, name: web, namespace: default}\nreason: ScalingReplicaSet\nmessage: Scaled up replica set web-1 to 1\ntype: Normal\ncount: 2\nsource: {component: deployment-controller}\n"),
    )
    .await;
    let ev = k.json(&["get", "events.v1.events.k8s.io", "web.1"]).await;
    assert_eq!(ev["regarding"]["name"], "web");
    assert_eq!(ev["note"], "Scaled up replica set web-1 to 1");
    assert_eq!(ev["deprecatedCount"], 2);
    assert_eq!(ev["reportingController"], "deployment-controller");
    let listed = k.ok(&["get", "events.v1.events.k8s.io"]).await;
    assert!(listed.contains("ScalingReplicaSet"), "{listed}");
}
