//! Volumes as a container sees them and `kubectl exec`/`cp` into it, with the real kubectl
//! against the process runtime: ConfigMap, Secret, downward API, emptyDir and claim volumes
//! at their mount paths (made without touching this machine's own folders), the command's
//! exit code and stdin, and the kubelet's FailedMount when a volume's source is missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kubesim::kubelet::images::ImageTable;
use support::Kube;

async fn processes() -> Kube {
    let mut images = ImageTable::default();
    images
        .add(&format!(
            "busybox={}",
            todo_e2e::kubectl::program("sh").display()
        ))
        .unwrap();
    Kube::processes(images, 10.0).await
}

const POD: &str = "apiVersion: v1
kind: ConfigMap
metadata: {name: sizes}
data: {size: medium, shape: round}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: colors}
data: {color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cret, user: admin}
---
apiVersion: v1
kind: Pod
metadata:
  name: pod1
  labels: {app: demo}
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: [sh, -c, 'echo started; exec sleep 3600']
    env:
    - name: COLOR
      valueFrom: {configMapKeyRef: {name: colors, key: color}}
    volumeMounts:
    - {name: sizes, mountPath: /etc/sizes}
    - {name: creds, mountPath: /run/creds}
    - {name: info, mountPath: /etc/podinfo}
    - {name: shared, mountPath: /shared}
  - name: writer
    image: busybox:1.36
    command: [sh, -c, 'echo from-writer > /shared/note; exec sleep 3600']
    volumeMounts:
    - {name: shared, mountPath: /shared}
  volumes:
  - name: sizes
    configMap: {name: sizes}
  - name: creds
    secret:
      secretName: creds
      defaultMode: 0400
      items: [{key: password, path: db/password}]
  - name: info
    downwardAPI:
      items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
  - name: shared
    emptyDir: {}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volumes_appear_at_their_mount_paths_and_exec_runs_inside_the_container() {
    let k = processes().await;
    k.ok_stdin(&["apply", "-f", "-"], Some(POD)).await;
    k.ok(&["wait", "--for=condition=Ready", "pod/pod1", "--timeout=20s"])
        .await;

    assert_eq!(
        k.ok(&["exec", "pod1", "--", "cat", "/etc/sizes/size"])
            .await,
        "medium"
    );
    assert_eq!(
        k.ok(&[
            "exec",
            "pod1",
            "-c",
            "main",
            "--",
            "sh",
            "-c",
            "echo $COLOR"
        ])
        .await
        .trim(),
        "blue"
    );
    // Only the keys listed, at their paths, with the mode asked for.
    let creds = k
        .ok(&[
            "exec",
            "pod1",
            "--",
            "sh",
            "-c",
            "ls /run/creds; stat -c %a /run/creds/db/password; cat /run/creds/db/password",
        ])
        .await;
    assert_eq!(
        creds.split_whitespace().collect::<Vec<_>>(),
        ["db", "400", "s3cret"]
    );
    assert_eq!(
        k.ok(&["exec", "pod1", "--", "cat", "/etc/podinfo/labels"])
            .await,
        "app=\"demo\""
    );
    // The emptyDir is one directory for both containers.
    assert_eq!(
        k.ok(&["exec", "pod1", "-c", "main", "--", "cat", "/shared/note"])
            .await
            .trim(),
        "from-writer"
    );
    // A ConfigMap volume is read-only, as on a cluster.
    let denied = k
        .run(
            &["exec", "pod1", "--", "sh", "-c", "echo x > /etc/sizes/size"],
            None,
        )
        .await;
    assert!(!denied.status.success());
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("Read-only file system"),
        "{denied:?}"
    );
    // The machine's own /etc gained nothing: the mount point lives in an overlay.
    assert!(!std::path::Path::new("/etc/sizes").exists());

    // Exit codes and stdin reach kubectl.
    let failed = k
        .run(
            &["exec", "pod1", "--", "sh", "-c", "echo oops >&2; exit 3"],
            None,
        )
        .await;
    assert_eq!(failed.status.code(), Some(3), "{failed:?}");
    assert!(String::from_utf8_lossy(&failed.stderr).contains("oops"));
    assert_eq!(
        k.ok_stdin(&["exec", "-i", "pod1", "--", "cat"], Some("piped in"))
            .await,
        "piped in"
    );
    let missing = k.run(&["exec", "pod1", "--", "no-such-tool"], None).await;
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("executable file not found in $PATH"),
        "{missing:?}"
    );
    let wrong = k
        .run(&["exec", "pod1", "-c", "nope", "--", "true"], None)
        .await;
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("container nope is not valid for pod pod1"),
        "{wrong:?}"
    );

    // kubectl cp reads through tar in the container.
    let dest = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cp-{}", k.sim.addr.port()));
    k.ok(&[
        "cp",
        "pod1:/etc/sizes/shape",
        dest.to_str().unwrap(),
        "-c",
        "main",
    ])
    .await;
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "round");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_data_outlives_the_pod_and_a_missing_config_map_blocks_the_mount() {
    let k = processes().await;
    let pod = |name: &str, script: &str| {
        format!(
            "apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, '{script}; exec sleep 3600']
    volumeMounts: [{{name: data, mountPath: /data}}]
  volumes: [{{name: data, persistentVolumeClaim: {{claimName: data}}}}]
"
        )
    };
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
",
        ),
    )
    .await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(&pod("first", "echo initial_data > /data/test")),
    )
    .await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/first",
        "--timeout=20s",
    ])
    .await;
    assert_eq!(
        k.ok(&["exec", "first", "--", "cat", "/data/test"])
            .await
            .trim(),
        "initial_data"
    );
    k.ok(&["delete", "pod", "first", "--wait=true"]).await;
    k.ok_stdin(&["apply", "-f", "-"], Some(&pod("second", "true")))
        .await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/second",
        "--timeout=20s",
    ])
    .await;
    assert_eq!(
        k.ok(&["exec", "second", "--", "cat", "/data/test"])
            .await
            .trim(),
        "initial_data"
    );
    assert!(
        !std::path::Path::new("/data/test").exists(),
        "the claim's data stays in kubesim's folder"
    );

    k.ok_stdin(&["apply", "-f", "-"], Some("apiVersion: v1
kind: Pod
metadata: {name: no-config}
spec:
  containers: [{name: app, image: busybox, command: [sleep, '3600'], volumeMounts: [{name: config, mountPath: /etc/app}]}]
  volumes: [{name: config, configMap: {name: app-config}}]
")).await;
    let events = k
        .ok(&[
            "wait",
            "--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=ContainerCreating",
            "pod/no-config",
            "--timeout=20s",
        ])
        .await;
    assert!(events.contains("condition met"), "{events}");
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=no-config,reason=FailedMount",
            "-o",
            "jsonpath={.items[0].message}",
        ])
        .await;
    assert_eq!(
        events,
        "MountVolume.SetUp failed for volume \"config\" : configmap \"app-config\" not found"
    );
    // Once the ConfigMap exists the container starts.
    k.ok(&[
        "create",
        "configmap",
        "app-config",
        "--from-literal=mode=on",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/no-config",
        "--timeout=20s",
    ])
    .await;
    assert_eq!(
        k.ok(&["exec", "no-config", "--", "cat", "/etc/app/mode"])
            .await,
        "on"
    );
}

/// Regression: an image whose program lives under a folder a volume covers inside the
/// container (here /tmp, where charts often mount an emptyDir) could not start: the image's
/// program is part of the image, not of the machine's folders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_program_under_a_mounted_folder_still_runs() {
    let program = std::env::temp_dir().join(format!("kubesim-image-{}.sh", std::process::id()));
    std::fs::write(
        &program,
        "#!/bin/sh\necho from the image; ls /tmp | wc -l; exec sleep 3600\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut images = ImageTable::default();
    images
        .add(&format!("inside-tmp={}", program.display()))
        .unwrap();
    let k = Kube::processes(images, 10.0).await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1
kind: Pod
metadata: {name: tmp-app}
spec:
  containers: [{name: app, image: inside-tmp, volumeMounts: [{name: tmp, mountPath: /tmp}]}]
  volumes: [{name: tmp, emptyDir: {}}]
",
        ),
    )
    .await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/tmp-app",
        "--timeout=20s",
    ])
    .await;
    // The program ran, and its /tmp is the empty volume, not the machine's.
    let logs = k.ok(&["logs", "tmp-app"]).await;
    assert_eq!(
        logs.split_whitespace().collect::<Vec<_>>(),
        ["from", "the", "image", "0"],
        "{logs}"
    );
    let _ = std::fs::remove_file(&program);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_containers_run_in_order_before_the_others_and_block_them_when_failing() {
    let k = processes().await;
    k.ok_stdin(&["apply", "-f", "-"], Some("apiVersion: v1
kind: Pod
metadata: {name: staged}
spec:
  initContainers:
  - {name: fetch, image: busybox, command: [sh, -c, 'echo fetched > /work/data; echo fetch done'], volumeMounts: [{name: work, mountPath: /work}]}
  - {name: check, image: busybox, command: [sh, -c, 'cat /work/data && echo checked >> /work/data'], volumeMounts: [{name: work, mountPath: /work}]}
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'cat /work/data; exec sleep 3600'], volumeMounts: [{name: work, mountPath: /work}]}
  volumes: [{name: work, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: blocked}
spec:
  initContainers:
  - {name: wait-for-db, image: busybox, command: [sh, -c, 'echo no database; exit 1']}
  containers:
  - {name: app, image: busybox, command: [sleep, '3600']}
")).await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/staged",
        "--timeout=20s",
    ])
    .await;
    assert_eq!(
        k.ok(&["logs", "staged", "-c", "app"]).await.trim(),
        "fetched\nchecked"
    );
    assert_eq!(
        k.ok(&["logs", "staged", "-c", "fetch"]).await.trim(),
        "fetch done"
    );
    let inits = k
        .ok(&["get", "pod", "staged", "-o", "jsonpath={range .status.initContainerStatuses[*]}{.name}={.state.terminated.reason} {end}"])
        .await;
    assert_eq!(inits.trim(), "fetch=Completed check=Completed");

    // A failing init container restarts with back-off; the app never starts.
    let shown = {
        let start = std::time::Instant::now();
        loop {
            let out = k.ok(&["get", "pod", "blocked", "--no-headers"]).await;
            if out.contains("Init:CrashLoopBackOff") || out.contains("Init:Error") {
                break out;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "{out}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };
    assert!(shown.contains("0/1"), "{shown}");
    let cond = k
        .ok(&["get", "pod", "blocked", "-o", "jsonpath={.status.conditions[?(@.type==\"Initialized\")].message} {.status.containerStatuses[0].state.waiting.reason}"])
        .await;
    assert_eq!(
        cond,
        "containers with incomplete status: [wait-for-db] PodInitializing"
    );
}

/// `kubectl run -i --rm` and `kubectl attach -i` join the container's own process: what is
/// typed reaches its stdin, what it writes comes back, its exit code is kubectl's, and the
/// pod is removed afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_and_attach_join_the_container_s_own_stdin_and_output() {
    // The stock busybox: `kubectl run … -- sh -c …` gives args, which replace its CMD.
    let mut images = ImageTable::default();
    images.add_stock();
    let k = Kube::processes(images, 10.0).await;
    let out = k
        .run(
            &[
                "run",
                "-i",
                "--rm",
                "asker",
                "--image=busybox",
                "--restart=Never",
                "--",
                "sh",
                "-c",
                "read name; echo hello $name",
            ],
            Some("kubesim\n"),
        )
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("hello kubesim"), "{stdout}");
    let left = k.ok(&["get", "pods", "-o", "name"]).await;
    assert!(!left.contains("asker"), "--rm deletes the pod: {left}");

    let failed = k
        .run(
            &[
                "run",
                "-i",
                "--rm",
                "failing",
                "--image=busybox",
                "--restart=Never",
                "--",
                "sh",
                "-c",
                "read x; echo bad input $x >&2; exit 3",
            ],
            Some("zzz\n"),
        )
        .await;
    assert_eq!(failed.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("bad input zzz"));

    // A pod that keeps stdin open: every attach talks to the same process.
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1
kind: Pod
metadata: {name: echoer}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: busybox
    stdin: true
    command: [sh, -c, 'while read l; do echo \"echo:$l\"; [ \"$l\" = bye ] && exit 0; done']
",
        ),
    )
    .await;
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/echoer",
        "--timeout=20s",
    ])
    .await;
    // kubectl attach returns when the process ends (here, after "bye"); a hang fails loudly.
    let attached = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        k.run(&["attach", "-i", "echoer"], Some("hi\nbye\n")),
    )
    .await
    .expect("kubectl attach ends when the container's process does");
    let stdout = String::from_utf8_lossy(&attached.stdout);
    assert!(
        stdout.contains("echo:hi") && stdout.contains("echo:bye"),
        "{stdout}{}",
        String::from_utf8_lossy(&attached.stderr)
    );
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Succeeded",
        "pod/echoer",
        "--timeout=20s",
    ])
    .await;
    let refused = k.run(&["attach", "echoer"], None).await;
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("completed pod; current phase is Succeeded"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
