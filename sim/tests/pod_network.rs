//! The cluster network, driven with the real kubectl: every pod has its own address and
//! ports, so two stock nginx pods both listen on 80; Services answer on their cluster IP
//! and by name through the cluster DNS; a program that listens only on its loopback is
//! unreachable from the kubelet (as on a cluster) yet `kubectl port-forward` reaches it.
//! NetworkPolicies are enforced: a default deny blocks, an allow rule admits its peers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kubesim::kubelet::images::ImageTable;
use support::Kube;

const WEB: &str = "apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 8081, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: nobody, namespace: shop}
spec:
  selector: {app: nothing-has-this}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-pods, namespace: shop}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
";

/// A site from a ConfigMap on port 8080, and a program that listens only on its own
/// loopback, each behind a readiness probe.
const CUSTOM: &str = "apiVersion: v1
kind: ConfigMap
metadata: {name: site, namespace: shop}
data:
  site.conf: |
    server {
      listen 8080;
      location / { return 200 'custom site\\n'; }
    }
---
apiVersion: v1
kind: Pod
metadata: {name: custom, namespace: shop}
spec:
  containers:
  - name: nginx
    image: nginx:alpine
    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
    volumeMounts: [{name: site, mountPath: /etc/nginx/conf.d}]
  volumes: [{name: site, configMap: {name: site}}]
---
apiVersion: v1
kind: Pod
metadata: {name: loopback-only}
spec:
  containers:
  - name: app
    image: python:3.12
    command: [python3, -m, http.server, '9000', --bind, 127.0.0.1]
    ports: [{containerPort: 9000}]
    readinessProbe: {tcpSocket: {port: 9000}, periodSeconds: 1}
";

fn stock() -> ImageTable {
    let mut images = ImageTable::default();
    images.add_stock();
    for image in ["nginx", "busybox", "python:3.12"] {
        assert!(
            images.resolve(image).is_some(),
            "{image} must be runnable: scripts/setup installs nginx, busybox-static and python3"
        );
    }
    images
}

/// `wget -qO- URL` from a throw-away busybox pod: its output, or its failure. (Not `-T`:
/// Debian's static busybox 1.35 crashes on it.)
async fn fetch(k: &Kube, name: &str, url: &str) -> std::process::Output {
    fetch_as(k, name, "", url).await
}

/// `fetch` from a pod with `labels` (`a=b,c=d`), given up after 3 s (busybox's
/// `timeout`): a connection a policy drops is never answered.
async fn fetch_as(k: &Kube, name: &str, labels: &str, url: &str) -> std::process::Output {
    let labels = format!(
        "--labels=run={name}{}{labels}",
        if labels.is_empty() { "" } else { "," }
    );
    k.run(
        &[
            "run",
            "-n",
            "shop",
            name,
            &labels,
            "--image=busybox",
            "--restart=Never",
            "--rm",
            "-i",
            "--timeout=60s",
            "--",
            "timeout",
            "3",
            "wget",
            "-qO-",
            url,
        ],
        None,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_have_their_own_addresses_and_reach_services_by_name() {
    let k = Kube::processes(stock(), 10.0).await;
    k.ok_stdin(&["apply", "-f", "-"], Some(WEB)).await;
    k.ok(&[
        "wait",
        "-n",
        "shop",
        "--for=condition=Available",
        "deploy/web",
        "--timeout=60s",
    ])
    .await;
    // Both replicas listen on port 80, each at its own address on the pod network.
    let ips = k
        .ok(&[
            "get",
            "pods",
            "-n",
            "shop",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[*].status.podIP}",
        ])
        .await;
    let ips: Vec<&str> = ips.split_whitespace().collect();
    assert_eq!(ips.len(), 2, "{ips:?}");
    assert_ne!(ips[0], ips[1]);
    assert!(ips.iter().all(|ip| ip.starts_with("10.244.")), "{ips:?}");
    // The Service's port maps to the target port; the bare name resolves in the namespace.
    let page = fetch(&k, "get-web", "http://web:8081/").await;
    let text = String::from_utf8_lossy(&page.stdout);
    assert!(text.contains("Welcome to nginx!"), "{page:?}");
    let cluster_ip = k
        .ok(&[
            "get",
            "svc",
            "-n",
            "shop",
            "web",
            "-o",
            "jsonpath={.spec.clusterIP}",
        ])
        .await;
    let pod = k
        .ok(&[
            "get",
            "pods",
            "-n",
            "shop",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ])
        .await;
    let exec = |args: Vec<String>| {
        let mut all: Vec<String> = ["exec", "-n", "shop", pod.as_str(), "--"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        all.extend(args);
        all
    };
    let resolved = k
        .ok(&exec(vec![
            "getent".into(),
            "hosts".into(),
            "web.shop.svc.cluster.local".into(),
        ])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>())
        .await;
    assert!(
        resolved.starts_with(&cluster_ip),
        "{resolved} vs {cluster_ip}"
    );
    // A headless Service's name is its ready pods' addresses.
    let headless = k
        .ok(
            &exec(vec!["getent".into(), "ahostsv4".into(), "web-pods".into()])
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .await;
    for ip in &ips {
        assert!(headless.contains(ip), "{headless} lacks {ip}");
    }
    // The container sees its pod's name as its hostname.
    let host = k
        .ok(&exec(vec!["hostname".into()])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>())
        .await;
    assert_eq!(host.trim(), pod);
    // An Alpine-based image's small commands are busybox's applets: nslookup in the curl
    // image (this machine has no nslookup), answered by the cluster DNS.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1
kind: Pod
metadata: {name: tools, namespace: shop}
spec:
  containers: [{name: curl, image: 'curlimages/curl:8.5.0', command: [sleep, '3600']}]
",
        ),
    )
    .await;
    k.ok(&[
        "wait",
        "-n",
        "shop",
        "--for=condition=Ready",
        "pod/tools",
        "--timeout=30s",
    ])
    .await;
    let looked_up = k
        .ok(&[
            "exec",
            "-n",
            "shop",
            "tools",
            "--",
            "nslookup",
            "web.shop.svc.cluster.local",
        ])
        .await;
    assert!(looked_up.contains(&cluster_ip), "{looked_up}");
    // A Service without endpoints refuses; a name nothing has does not resolve.
    let refused = fetch(&k, "get-nobody", "http://nobody/").await;
    assert!(!refused.status.success(), "{refused:?}");
    let unknown = fetch(&k, "get-unknown", "http://no-such-service/").await;
    assert!(!unknown.status.success(), "{unknown:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_from_a_config_map_serves_and_a_loopback_listener_is_never_ready() {
    let k = Kube::processes(stock(), 10.0).await;
    k.ok_stdin(&["apply", "-f", "-"], Some(&format!("{WEB}---\n{CUSTOM}")))
        .await;
    // nginx reads its site from the ConfigMap mounted over conf.d.
    k.ok(&[
        "wait",
        "-n",
        "shop",
        "--for=condition=Ready",
        "pod/custom",
        "--timeout=60s",
    ])
    .await;
    let ip = k
        .ok(&[
            "get",
            "pod",
            "-n",
            "shop",
            "custom",
            "-o",
            "jsonpath={.status.podIP}",
        ])
        .await;
    let page = fetch(&k, "get-custom", &format!("http://{ip}:8080/")).await;
    let text = String::from_utf8_lossy(&page.stdout);
    assert_eq!(text.lines().next(), Some("custom site"), "{page:?}");
    // The API server's pods/proxy reaches the same port (what `kubectl get --raw` uses).
    let raw = k
        .ok(&[
            "get",
            "--raw",
            "/api/v1/namespaces/shop/pods/custom:8080/proxy/",
        ])
        .await;
    assert_eq!(raw.trim(), "custom site");
    let closed = k
        .run(
            &[
                "get",
                "--raw",
                "/api/v1/namespaces/shop/pods/custom:9/proxy/",
            ],
            None,
        )
        .await;
    let why = String::from_utf8_lossy(&closed.stderr);
    assert!(
        !closed.status.success() && why.contains("connect: connection refused"),
        "{why}"
    );
    // 127.0.0.1 inside the pod is the pod's own: the kubelet's probe at the pod's address
    // is refused, with the kubelet's message naming that address.
    let waited = k
        .run(
            &[
                "wait",
                "--for=condition=Ready",
                "pod/loopback-only",
                "--timeout=5s",
            ],
            None,
        )
        .await;
    assert!(!waited.status.success(), "{waited:?}");
    let own = k
        .ok(&[
            "get",
            "pod",
            "loopback-only",
            "-o",
            "jsonpath={.status.podIP}",
        ])
        .await;
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=loopback-only",
        ])
        .await;
    assert!(
        events.contains(&format!("dial tcp {own}:9000: connect: connection refused")),
        "{events}"
    );
    // port-forward connects inside the pod's namespace, where the program does listen.
    let (mut child, local) =
        todo_e2e::kubectl::port_forward(&k.kubeconfig, "pod/loopback-only", 9000)
            .expect("port-forward starts");
    let listing = reqwest::get(format!("http://127.0.0.1:{local}/"))
        .await
        .expect("the forward answers")
        .text()
        .await
        .unwrap();
    let _ = child.kill();
    assert!(listing.contains("Directory listing"), "{listing}");
}

/// Only pods labelled `access: granted` may reach the web pods, on port 80.
const ALLOW_GRANTED: &str = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-granted, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {access: granted}}}]
    ports: [{port: 80}]
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_policies_deny_and_allow_traffic() {
    let k = Kube::processes(stock(), 10.0).await;
    k.ok_stdin(&["apply", "-f", "-"], Some(WEB)).await;
    k.ok(&[
        "wait",
        "-n",
        "shop",
        "--for=condition=Available",
        "deploy/web",
        "--timeout=60s",
    ])
    .await;
    let open = fetch_as(&k, "before", "", "http://web:8081/").await;
    assert!(
        String::from_utf8_lossy(&open.stdout).contains("Welcome to nginx!"),
        "{open:?}"
    );

    // A default deny for every pod in the namespace: the same request goes unanswered.
    let deny = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}}
";
    k.ok_stdin(&["apply", "-f", "-"], Some(deny)).await;
    let blocked = fetch_as(&k, "denied", "", "http://web:8081/").await;
    assert!(!blocked.status.success(), "{blocked:?}");
    assert!(
        !String::from_utf8_lossy(&blocked.stdout).contains("nginx"),
        "{blocked:?}"
    );
    // The kubelet's probes still reach the pods (the node is always allowed in).
    k.ok(&[
        "wait",
        "-n",
        "shop",
        "--for=condition=Available",
        "deploy/web",
        "--timeout=10s",
    ])
    .await;

    // An allow rule admits its peers only, through the Service and at the pod's address.
    k.ok_stdin(&["apply", "-f", "-"], Some(ALLOW_GRANTED)).await;
    let granted = fetch_as(&k, "granted", "access=granted", "http://web:8081/").await;
    assert!(
        String::from_utf8_lossy(&granted.stdout).contains("Welcome to nginx!"),
        "{granted:?}"
    );
    let ip = k
        .ok(&[
            "get",
            "pods",
            "-n",
            "shop",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[0].status.podIP}",
        ])
        .await;
    let direct = fetch_as(&k, "direct", "access=granted", &format!("http://{ip}/")).await;
    assert!(direct.status.success(), "{direct:?}");
    let stranger = fetch_as(&k, "stranger", "access=none", &format!("http://{ip}/")).await;
    assert!(!stranger.status.success(), "{stranger:?}");

    // Egress isolation without a rule for the DNS: names no longer resolve.
    let no_egress = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {egress: none}}
  policyTypes: [Egress]
";
    k.ok_stdin(&["apply", "-f", "-"], Some(no_egress)).await;
    let cut_off = fetch_as(
        &k,
        "cut-off",
        "access=granted,egress=none",
        "http://web:8081/",
    )
    .await;
    assert!(!cut_off.status.success(), "{cut_off:?}");
    // Deleting the policies opens the way again.
    k.ok(&["delete", "networkpolicy", "-n", "shop", "--all"])
        .await;
    let reopened = fetch_as(&k, "after", "", "http://web:8081/").await;
    assert!(reopened.status.success(), "{reopened:?}");
}

/// Three database servers from their stock images, each behind a Service, and a postgres
/// that was given no password.
const DATABASES: &str = "apiVersion: v1
kind: Namespace
metadata: {name: data}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres, namespace: data}
spec:
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        env: [{name: POSTGRES_PASSWORD, value: s3cret}, {name: POSTGRES_DB, value: shop}]
        ports: [{containerPort: 5432}]
        readinessProbe: {exec: {command: [pg_isready, -h, 127.0.0.1]}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: postgres, namespace: data}
spec: {selector: {app: postgres}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis, namespace: data}
spec:
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers:
      - name: redis
        image: redis:7-alpine
        readinessProbe: {tcpSocket: {port: 6379}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: redis, namespace: data}
spec: {selector: {app: redis}, ports: [{port: 6379}]}
---
apiVersion: v1
kind: Pod
metadata: {name: mysql, namespace: data, labels: {app: mysql}}
spec:
  containers:
  - name: mysql
    image: mysql:8.0
    env: [{name: MYSQL_ROOT_PASSWORD, value: s3cret}]
    readinessProbe: {tcpSocket: {port: 3306}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: mysql, namespace: data}
spec: {selector: {app: mysql}, ports: [{port: 3306}]}
---
apiVersion: v1
kind: Pod
metadata: {name: no-password, namespace: data}
spec:
  containers: [{name: postgres, image: postgres:16}]
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_images_serve_their_own_clients_through_services() {
    let images = stock();
    for image in ["postgres", "redis", "mysql"] {
        assert!(
            images.resolve(image).is_some(),
            "{image} must be runnable: scripts/setup installs postgresql, redis-server and mariadb-server"
        );
    }
    let k = Kube::processes(images, 10.0).await;
    k.ok_stdin(&["apply", "-f", "-"], Some(DATABASES)).await;
    for target in ["deploy/postgres", "deploy/redis"] {
        k.ok(&[
            "wait",
            "-n",
            "data",
            "--for=condition=Available",
            target,
            "--timeout=90s",
        ])
        .await;
    }
    k.ok(&[
        "wait",
        "-n",
        "data",
        "--for=condition=Ready",
        "pod/mysql",
        "--timeout=90s",
    ])
    .await;
    // Each client reaches its server by the Service's name, with the password it was given.
    let answer = k
        .ok(&[
            "exec",
            "-n",
            "data",
            "deploy/postgres",
            "--",
            "env",
            "PGPASSWORD=s3cret",
            "psql",
            "-h",
            "postgres",
            "-U",
            "postgres",
            "-d",
            "shop",
            "-tAc",
            "select 40 + 2",
        ])
        .await;
    assert_eq!(answer.trim(), "42");
    let wrong = k
        .run(
            &[
                "exec",
                "-n",
                "data",
                "deploy/postgres",
                "--",
                "env",
                "PGPASSWORD=wrong",
                "psql",
                "-h",
                "postgres",
                "-U",
                "postgres",
                "-d",
                "shop",
                "-c",
                "select 1",
            ],
            None,
        )
        .await;
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("password authentication failed"),
        "{wrong:?}"
    );
    let set = k
        .ok(&[
            "exec",
            "-n",
            "data",
            "deploy/redis",
            "--",
            "redis-cli",
            "-h",
            "redis",
            "set",
            "k",
            "v",
        ])
        .await;
    assert_eq!(set.trim(), "OK");
    let got = k
        .ok(&[
            "exec",
            "-n",
            "data",
            "deploy/redis",
            "--",
            "redis-cli",
            "-h",
            "redis.data",
            "get",
            "k",
        ])
        .await;
    assert_eq!(got.trim(), "v");
    let mysql = k
        .ok(&[
            "exec",
            "-n",
            "data",
            "mysql",
            "--",
            "mariadb",
            "-h",
            "mysql",
            "-uroot",
            "-ps3cret",
            "-N",
            "-e",
            "select 6 * 7",
        ])
        .await;
    assert_eq!(mysql.trim(), "42");
    // Without a password the server does not start, and says why, as the official image.
    let mut logs = String::new();
    for _ in 0..120 {
        logs = k
            .run(&["logs", "-n", "data", "no-password"], None)
            .await
            .stdout
            .iter()
            .map(|&b| b as char)
            .collect();
        if logs.contains("superuser password is not specified") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(
        logs.contains("You must specify POSTGRES_PASSWORD"),
        "{logs}"
    );
}
