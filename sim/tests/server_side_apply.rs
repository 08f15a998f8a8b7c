//! Field ownership and server-side apply, driven by the real kubectl: managedFields filled
//! by every write, conflicts between managers with the API server's message, forcing, and
//! an applier's removed fields pruned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::Kube;

fn web(replicas: u32, extra_label: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
{extra_label}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
"
    )
}

fn managers(obj: &Value) -> Vec<(String, String, Option<String>)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["manager"].as_str().unwrap_or_default().to_string(),
                e["operation"].as_str().unwrap_or_default().to_string(),
                e["subresource"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn owns(obj: &Value, manager: &str, path: &[&str]) -> bool {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["manager"] == manager)
        .any(|e| {
            let mut node = &e["fieldsV1"];
            path.iter().all(|k| {
                node = &node[*k];
                !node.is_null()
            })
        })
}

async fn stderr_of(k: &Kube, args: &[&str], stdin: Option<&str>) -> String {
    let out = k.run(args, stdin).await;
    assert!(
        !out.status.success(),
        "kubectl {} should have failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn managers_own_fields_and_apply_conflicts_as_on_a_real_server() {
    let k = Kube::start().await;
    k.ok(&["create", "deployment", "web", "--image=nginx:1.25"])
        .await;
    let get = ["get", "deploy", "web", "--show-managed-fields"];
    let created = k.json(&get).await;
    assert_eq!(
        managers(&created),
        [("kubectl-create".into(), "Update".into(), None)]
    );
    assert!(owns(&created, "kubectl-create", &["f:spec", "f:replicas"]));
    // Hidden unless asked for, as kubectl does with a real server's objects.
    assert!(
        !k.ok(&["get", "deploy", "web", "-o", "yaml"])
            .await
            .contains("managedFields")
    );

    // Another replica count than the creator set: a conflict naming the creator.
    let err = stderr_of(
        &k,
        &["apply", "--server-side", "-f", "-"],
        Some(&web(3, "")),
    )
    .await;
    assert!(
        err.contains(
            "Apply failed with 1 conflict: conflict with \"kubectl-create\" using apps/v1 at "
        ) && err.contains(": .spec.replicas"),
        "{err}"
    );
    assert_eq!(
        k.json(&["get", "deploy", "web"]).await["spec"]["replicas"],
        1
    );

    // The same values are shared without a conflict; forcing takes the field over.
    k.ok_stdin(&["apply", "--server-side", "-f", "-"], Some(&web(1, "")))
        .await;
    k.ok_stdin(
        &["apply", "--server-side", "--force-conflicts", "-f", "-"],
        Some(&web(3, "")),
    )
    .await;
    let forced = k.json(&get).await;
    assert_eq!(forced["spec"]["replicas"], 3);
    assert!(owns(&forced, "kubectl", &["f:spec", "f:replicas"]));
    assert!(!owns(&forced, "kubectl-create", &["f:spec", "f:replicas"]));
    assert!(owns(&forced, "kubectl-create", &["f:spec", "f:template"]));

    // kubectl scale writes through the scale subresource, and owns replicas from there.
    k.ok(&["scale", "deploy", "web", "--replicas=5"]).await;
    let scaled = k.json(&get).await;
    let scaler = managers(&scaled)
        .into_iter()
        .find(|(_, _, sub)| sub.as_deref() == Some("scale"))
        .expect("a manager for the scale subresource");
    let err = stderr_of(
        &k,
        &["apply", "--server-side", "-f", "-"],
        Some(&web(3, "")),
    )
    .await;
    assert!(
        err.contains(&format!(
            "conflict with \"{}\" with subresource \"scale\" using apps/v1",
            scaler.0
        )),
        "{err}"
    );

    // Two appliers: the second's different value of the first's label conflicts, and the
    // message names an applier without a version or time.
    k.ok_stdin(
        &[
            "apply",
            "--server-side",
            "--field-manager=team-a",
            "--force-conflicts",
            "-f",
            "-",
        ],
        Some(&web(5, "    tier: front\n    owner: a")),
    )
    .await;
    let err = stderr_of(
        &k,
        &[
            "apply",
            "--server-side",
            "--field-manager=team-b",
            "-f",
            "-",
        ],
        Some(&web(5, "    tier: back")),
    )
    .await;
    assert!(
        err.contains("conflict with \"team-a\": .metadata.labels.tier"),
        "{err}"
    );

    // An applier that stops applying a field it alone set removes it.
    k.ok_stdin(
        &[
            "apply",
            "--server-side",
            "--field-manager=team-a",
            "-f",
            "-",
        ],
        Some(&web(5, "    tier: front")),
    )
    .await;
    let labels = &k.json(&["get", "deploy", "web"]).await["metadata"]["labels"];
    assert_eq!(labels["tier"], "front");
    assert!(labels.get("owner").is_none(), "{labels}");
}

#[tokio::test]
async fn an_edit_after_apply_takes_the_field_and_the_next_apply_must_force() {
    let k = Kube::start().await;
    k.ok_stdin(
        &[
            "apply",
            "--server-side",
            "--field-manager=deployer",
            "-f",
            "-",
        ],
        Some(&web(2, "")),
    )
    .await;
    k.ok(&["set", "image", "deploy/web", "nginx=nginx:1.26"])
        .await;
    let edited = k
        .json(&["get", "deploy", "web", "--show-managed-fields"])
        .await;
    let container = "k:{\"name\":\"nginx\"}";
    let image = [
        "f:spec",
        "f:template",
        "f:spec",
        "f:containers",
        container,
        "f:image",
    ];
    assert!(!owns(&edited, "deployer", &image));
    let setter = managers(&edited)
        .into_iter()
        .find(|(m, _, _)| m != "deployer")
        .expect("kubectl set image is a manager");
    assert!(owns(&edited, &setter.0, &image));

    let err = stderr_of(
        &k,
        &[
            "apply",
            "--server-side",
            "--field-manager=deployer",
            "-f",
            "-",
        ],
        Some(&web(2, "")),
    )
    .await;
    assert!(
        err.contains(".spec.template.spec.containers[name=\"nginx\"].image"),
        "{err}"
    );
    k.ok_stdin(
        &[
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=deployer",
            "-f",
            "-",
        ],
        Some(&web(2, "")),
    )
    .await;
    let back = k.json(&["get", "deploy", "web"]).await;
    assert_eq!(
        back["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.25"
    );
}
