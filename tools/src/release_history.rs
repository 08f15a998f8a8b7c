//! Helm's own record of every revision of a release, read from the Secrets its storage
//! driver writes (`sh.helm.release.v1.NAME.vN`, type `helm.sh/release.v1`): the values a
//! person gave, the chart's defaults, and how the revision ended. The history that "what
//! changed" repairs start from, read with the namespace's Secrets; no Helm library needed.

use std::io::Read;

use base64::Engine;
use serde_json::Value;

use crate::values::ValuesPatch;

/// The Secret type Helm's storage driver writes.
pub const RELEASE_SECRET_TYPE: &str = "helm.sh/release.v1";

/// One revision of one release.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// The release.
    pub release: String,
    /// The revision number (1, 2, …).
    pub number: i64,
    /// `deployed`, `superseded`, `failed`, `pending-upgrade`, …
    pub status: String,
    /// The chart's name.
    pub chart: String,
    /// The values given to this revision (user-supplied).
    pub config: Value,
    /// The chart's default values.
    pub defaults: Value,
    /// The objects this revision rendered (its manifest, one JSON value per document).
    pub objects: Vec<Value>,
    /// When it was last deployed (RFC 3339), empty when Helm did not say.
    pub deployed_at: String,
}

impl Revision {
    /// The values the templates saw: the chart's defaults with the given values over them.
    pub fn values(&self) -> Value {
        ValuesPatch(self.config.clone()).apply_to(&self.defaults)
    }

    /// Whether the revision was installed without error (now current or since replaced).
    pub fn succeeded(&self) -> bool {
        matches!(self.status.as_str(), "deployed" | "superseded")
    }
}

/// The whole release record Helm stored in one Secret (as the API serves it): name,
/// version, info, config, manifest and the chart itself (metadata, templates, values, schema,
/// files). None for any other Secret or one that does not decode.
pub fn release_record(secret: &Value) -> Option<Value> {
    if secret["type"] != RELEASE_SECRET_TYPE {
        return None;
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    // The API's base64 around Helm's own base64 around gzip'd JSON.
    let outer = b64.decode(secret["data"]["release"].as_str()?).ok()?;
    let inner = b64.decode(outer).ok()?;
    let json = if inner.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(inner.as_slice())
            .read_to_end(&mut out)
            .ok()?;
        out
    } else {
        inner
    };
    serde_json::from_slice(&json).ok()
}

/// A revision from one Secret as the API serves it (base64 `data`); None for any other
/// Secret or one that does not decode.
pub fn decode(secret: &Value) -> Option<Revision> {
    let r = release_record(secret)?;
    Some(Revision {
        release: r["name"].as_str()?.to_string(),
        number: r["version"].as_i64()?,
        status: r["info"]["status"].as_str().unwrap_or_default().to_string(),
        chart: r["chart"]["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        config: object_or_empty(&r["config"]),
        defaults: object_or_empty(&r["chart"]["values"]),
        objects: manifest_objects(r["manifest"].as_str().unwrap_or_default()),
        deployed_at: r["info"]["last_deployed"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    })
}

/// The objects of a rendered manifest (YAML documents); a document that does not parse is
/// left out rather than failing the whole history.
pub fn manifest_objects(manifest: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_norway::Deserializer::from_str(manifest)
        .filter_map(|doc| Value::deserialize(doc).ok())
        .filter(|v| v["kind"].is_string())
        .collect()
}

fn object_or_empty(v: &Value) -> Value {
    if v.is_object() {
        v.clone()
    } else {
        Value::Object(Default::default())
    }
}

/// Every release's revisions, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History(pub Vec<Revision>);

impl History {
    /// The revisions found among `secrets` (JSON as the API serves them).
    pub fn from_secrets<'a>(secrets: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut all: Vec<Revision> = secrets.into_iter().filter_map(decode).collect();
        all.sort_by(|a, b| a.release.cmp(&b.release).then(a.number.cmp(&b.number)));
        History(all)
    }

    /// One release's revisions, oldest first.
    pub fn of<'a>(&'a self, release: &str) -> impl DoubleEndedIterator<Item = &'a Revision> {
        let release = release.to_string();
        self.0.iter().filter(move |r| r.release == release)
    }

    /// The release's newest revision.
    pub fn latest(&self, release: &str) -> Option<&Revision> {
        self.of(release).next_back()
    }

    /// The newest revision before the latest that installed without error: what `helm
    /// rollback` should return to. None when there is no such revision.
    pub fn rollback_target(&self, release: &str) -> Option<&Revision> {
        self.of(release).rev().skip(1).find(|r| r.succeeded())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Write;

    /// A release Secret as Helm writes it and the API serves it.
    pub(crate) fn release_secret(name: &str, version: i64, status: &str, config: Value) -> Value {
        let body = json!({
            "name": name, "version": version, "info": {"status": status},
            "chart": {"metadata": {"name": name}, "values": {"replicaCount": 2, "image": {"repository": name, "tag": "1.0"}}},
            "config": config,
            "manifest": format!("---\n# Source: {name}/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {name}\n---\n# Source: {name}/templates/empty.yaml\n"),
        });
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body.to_string().as_bytes()).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        let helm = b64.encode(gz.finish().unwrap());
        json!({
            "metadata": {"name": format!("sh.helm.release.v1.{name}.v{version}")},
            "type": RELEASE_SECRET_TYPE,
            "data": {"release": b64.encode(helm)},
        })
    }

    #[test]
    fn revisions_decode_in_order_and_merge_defaults_with_given_values() {
        let secrets = [
            release_secret("web", 2, "failed", json!({"replicaCount": 0})),
            release_secret("web", 1, "superseded", json!({})),
            release_secret("web", 3, "deployed", json!({"image": {"tag": "nope"}})),
            json!({"type": "Opaque", "data": {"release": "eA=="}}),
        ];
        let h = History::from_secrets(&secrets);
        let numbers: Vec<i64> = h.of("web").map(|r| r.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
        let latest = h.latest("web").unwrap();
        assert_eq!(
            latest.values()["image"],
            json!({"repository": "web", "tag": "nope"})
        );
        assert_eq!(latest.values()["replicaCount"], 2);
        // The failed revision 2 is skipped: 1 is the last one that worked.
        assert_eq!(h.rollback_target("web").unwrap().number, 1);
        assert!(h.rollback_target("other").is_none());
        assert_eq!(latest.objects.len(), 1, "the empty document is skipped");
        assert_eq!(latest.objects[0]["spec"]["selector"]["app"], "web");
    }

    #[test]
    fn a_single_revision_has_nothing_to_roll_back_to() {
        let h = History::from_secrets(&[release_secret("web", 1, "deployed", json!({}))]);
        assert!(h.rollback_target("web").is_none());
    }
}
