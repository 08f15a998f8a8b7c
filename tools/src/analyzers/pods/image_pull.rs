//! `image-pull`: the kubelet cannot get the image; the repair is the image the workload's
//! last healthy ReplicaSet runs, else — for a workload no release renders, when the
//! registry says the tag does not exist — the repository's implied tag.

use serde_json::json;

use super::Container;
use super::evidence::last_good_image;
use crate::analyzers::Finding;
use crate::repair::{FieldChange, IMPLIED_TAG, image_parts};

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
    let good = last_good_image(c.snap, c.pod, cname)
        .or_else(|| nearest_repository(c.snap, image))
        .or_else(|| {
            // The pull's own error, or (while backing off) the event that kept it.
            let pulls = std::iter::once(c.waiting_message.as_str())
                .chain(c.events.iter().map(String::as_str))
                .filter(|e| e.contains("ailed to pull"))
                .collect::<Vec<_>>()
                .join("\n");
            implied_tag(image, &pulls)
                .filter(|_| super::release_of(c.pod).is_none())
                .map(|img| (img, String::new()))
        });
    match &good {
        Some((_, why)) if why.starts_with(TYPO) => ev.push(why.clone()),
        Some((img, rs)) if !rs.is_empty() => {
            ev.push(format!("replicaset/{rs} ran {img} and has ready pods"))
        }
        Some((img, _)) => ev.push(format!(
            "the registry has no such tag; {img} is what the repository gives an image that names no tag"
        )),
        None => {}
    }
    ev.push(format!(
        "on Minikube, build or load the image into the cluster (minikube image load {image}) or use an image that exists"
    ));
    let changes = vec![FieldChange {
        init: c.init,
        object: c.owner.clone(),
        container: Some(cname.to_string()),
        field: "image".into(),
        current: json!(image),
        proposed: good.as_ref().map(|(img, _)| json!(img)),
        basis: good
            .map(|(_, rs)| match rs.as_str() {
                why if why.starts_with(TYPO) => why.to_string(),
                "" => "the tag does not exist; the repository's implied tag".to_string(),
                rs => format!("the image replicaset/{rs} runs"),
            })
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

/// How the basis of a repository typo's repair starts.
const TYPO: &str = "no repository";

/// The image with its repository's typo corrected, its tag kept: the repository a few
/// edits from an image the namespace's pods already run, else from an official image.
fn nearest_repository(snap: &crate::snapshot::Snapshot, image: &str) -> Option<(String, String)> {
    let (repo, tag) = image_parts(image);
    let running: Vec<String> = snap
        .pods
        .iter()
        .flat_map(|p| {
            ["initContainers", "containers"]
                .iter()
                .flat_map(move |l| p["spec"][*l].as_array().into_iter().flatten())
        })
        .filter_map(|c| c["image"].as_str())
        .map(|i| image_parts(i).0.to_string())
        .filter(|r| r != repo)
        .collect();
    let in_use = crate::nearest::nearest(repo, running.iter().map(String::as_str));
    let (meant, edits, source) = match in_use {
        Some((m, d)) => (m.to_string(), d, "an image this namespace runs"),
        None => {
            // An official image is named without Docker Hub's `docker.io/library/`.
            let short = repo
                .strip_prefix("docker.io/")
                .map(|r| r.strip_prefix("library/").unwrap_or(r))
                .unwrap_or(repo);
            let (m, d) =
                crate::nearest::nearest(short, crate::programs::OFFICIAL_IMAGES.iter().copied())?;
            (
                format!("{}{m}", &repo[..repo.len() - short.len()]),
                d,
                "an official image",
            )
        }
    };
    let corrected = if image.contains(':') || image.contains('@') {
        format!("{meant}:{tag}")
    } else {
        meant.clone()
    };
    Some((
        corrected,
        format!(
            "{TYPO} {repo:?} exists; {meant:?} is {edits} edit(s) from it and is {source}; the tag {tag:?} is kept"
        ),
    ))
}

/// `repo:latest` for `repo:tag` when the pull failed because that tag is not found (the
/// repository answered, the tag did not), and the tag is not already the implied one.
fn implied_tag(image: &str, pull_error: &str) -> Option<String> {
    let (repo, tag) = image_parts(image);
    let tag_missing = pull_error.contains("not found") || pull_error.contains("manifest unknown");
    (tag_missing && tag != IMPLIED_TAG && !image.contains('@'))
        .then(|| format!("{repo}:{IMPLIED_TAG}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_missing_explicit_tag_falls_back_to_the_implied_one() {
        let missing =
            "failed to resolve reference \"nginx:invalid-tag\": nginx:invalid-tag: not found";
        assert_eq!(
            implied_tag("nginx:invalid-tag", missing).as_deref(),
            Some("nginx:latest")
        );
        assert_eq!(
            implied_tag("reg.io:5000/team/app:1.x", missing).as_deref(),
            Some("reg.io:5000/team/app:latest")
        );
        // Already the implied tag (a repository typo): nothing to fall back to.
        assert_eq!(implied_tag("ngnix:latest", missing), None);
        assert_eq!(implied_tag("ngnix", missing), None);
        // Denied or unreachable is not a missing tag.
        assert_eq!(implied_tag("private/app:1.0", "pull access denied"), None);
    }
}
