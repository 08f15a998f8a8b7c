//! `image-pull`: the kubelet cannot get the image; the repair is the image the workload's
//! last healthy ReplicaSet runs.

use serde_json::json;

use super::Container;
use super::evidence::last_good_image;
use crate::analyzers::Finding;
use crate::repair::FieldChange;

/// The finding when the container waits for an image that cannot be pulled.
pub(super) fn check(c: &Container) -> Option<Finding> {
    if !matches!(
        c.waiting,
        "ErrImagePull" | "ImagePullBackOff" | "ErrImageNeverPull"
    ) {
        return None;
    }
    let (cname, waiting) = (c.name, c.waiting);
    let image = c.spec["image"].as_str().unwrap_or_default();
    let mut ev = vec![format!(
        "container {cname}: {waiting}: {}",
        c.waiting_message
    )];
    ev.extend(
        c.events
            .iter()
            .filter(|e| e.contains("Failed") || e.contains("BackOff"))
            .take(3)
            .cloned(),
    );
    let good = last_good_image(c.snap, c.pod, cname);
    if let Some((img, rs)) = &good {
        ev.push(format!("replicaset/{rs} ran {img} and has ready pods"));
    }
    ev.push(format!(
        "on Minikube, build or load the image into the cluster (minikube image load {image}) or use an image that exists"
    ));
    let changes = vec![FieldChange {
        object: c.owner.clone(),
        container: Some(cname.to_string()),
        field: "image".into(),
        current: json!(image),
        proposed: good.as_ref().map(|(img, _)| json!(img)),
        basis: good
            .map(|(_, rs)| format!("the image replicaset/{rs} runs"))
            .unwrap_or_default(),
    }];
    Some(c.finding(
        "image-pull",
        format!("image {image} cannot be pulled ({waiting})"),
        ev,
        "image-tag-missing",
        changes,
    ))
}
