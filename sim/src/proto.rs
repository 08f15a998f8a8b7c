//! Decoding of the protobuf request bodies that typed client-go clients send (kubectl's
//! `create namespace|configmap|secret`, `auth can-i`, Helm's release Secrets) into the
//! JSON kubesim stores. Only the messages those clients write are described; unknown
//! fields are skipped. Responses are always JSON, which every client accepts.

use serde_json::{Map, Value, json};

/// The 4-byte prefix of a Kubernetes protobuf body.
pub const MAGIC: &[u8] = b"k8s\0";

#[derive(Clone, Copy)]
enum F {
    Str,
    Bytes,
    Int,
    Bool,
    Time,
    Msg(&'static [(u32, &'static str, F)]),
    MapStr,
    MapBytes,
    RepStr,
    RepMsg(&'static [(u32, &'static str, F)]),
}

type Schema = &'static [(u32, &'static str, F)];

const OWNER_REF: Schema = &[
    (1, "kind", F::Str),
    (3, "name", F::Str),
    (4, "uid", F::Str),
    (5, "apiVersion", F::Str),
    (6, "controller", F::Bool),
    (7, "blockOwnerDeletion", F::Bool),
];

const OBJECT_META: Schema = &[
    (1, "name", F::Str),
    (2, "generateName", F::Str),
    (3, "namespace", F::Str),
    (5, "uid", F::Str),
    (6, "resourceVersion", F::Str),
    (7, "generation", F::Int),
    (8, "creationTimestamp", F::Time),
    (11, "labels", F::MapStr),
    (12, "annotations", F::MapStr),
    (13, "ownerReferences", F::RepMsg(OWNER_REF)),
    (14, "finalizers", F::RepStr),
];

const SECRET: Schema = &[
    (1, "metadata", F::Msg(OBJECT_META)),
    (2, "data", F::MapBytes),
    (3, "type", F::Str),
    (4, "stringData", F::MapStr),
    (5, "immutable", F::Bool),
];

const CONFIG_MAP: Schema = &[
    (1, "metadata", F::Msg(OBJECT_META)),
    (2, "data", F::MapStr),
    (3, "binaryData", F::MapBytes),
    (4, "immutable", F::Bool),
];

const NAMESPACE: Schema = &[
    (1, "metadata", F::Msg(OBJECT_META)),
    (2, "spec", F::Msg(&[(1, "finalizers", F::RepStr)])),
    (3, "status", F::Msg(&[(1, "phase", F::Str)])),
];

const RESOURCE_ATTRIBUTES: Schema = &[
    (1, "namespace", F::Str),
    (2, "verb", F::Str),
    (3, "group", F::Str),
    (4, "version", F::Str),
    (5, "resource", F::Str),
    (6, "subresource", F::Str),
    (7, "name", F::Str),
];

const ACCESS_REVIEW: Schema = &[
    (1, "metadata", F::Msg(OBJECT_META)),
    (
        2,
        "spec",
        F::Msg(&[
            (1, "resourceAttributes", F::Msg(RESOURCE_ATTRIBUTES)),
            (
                2,
                "nonResourceAttributes",
                F::Msg(&[(1, "path", F::Str), (2, "verb", F::Str)]),
            ),
        ]),
    ),
];

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or("truncated varint")?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.varint()? as usize;
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or("truncated field")?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn skip(&mut self, wire: u64) -> Result<(), String> {
        match wire {
            0 => self.varint().map(|_| ()),
            1 => self.advance(8),
            2 => self.bytes().map(|_| ()),
            5 => self.advance(4),
            w => Err(format!("unsupported wire type {w}")),
        }
    }

    fn advance(&mut self, n: usize) -> Result<(), String> {
        if self.pos + n > self.buf.len() {
            return Err("truncated fixed field".into());
        }
        self.pos += n;
        Ok(())
    }
}

fn text(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn map_entry(b: &[u8], as_bytes: bool) -> Result<(String, Value), String> {
    let mut r = Reader { buf: b, pos: 0 };
    let (mut k, mut v) = (String::new(), json!(""));
    while r.pos < b.len() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 2) => k = String::from_utf8_lossy(r.bytes()?).into_owned(),
            (2, 2) => {
                let raw = r.bytes()?;
                v = if as_bytes {
                    json!(base64(raw))
                } else {
                    text(raw)
                };
            }
            (_, w) => r.skip(w)?,
        }
    }
    Ok((k, v))
}

fn message(b: &[u8], schema: Schema) -> Result<Value, String> {
    let mut r = Reader { buf: b, pos: 0 };
    let mut out = Map::new();
    while r.pos < b.len() {
        let tag = r.varint()?;
        let (num, wire) = (tag >> 3, tag & 7);
        let Some((_, name, kind)) = schema.iter().find(|(n, _, _)| u64::from(*n) == num) else {
            r.skip(wire)?;
            continue;
        };
        let name = (*name).to_string();
        match *kind {
            F::Str => {
                out.insert(name, text(r.bytes()?));
            }
            F::Bytes => {
                out.insert(name, json!(base64(r.bytes()?)));
            }
            F::Int => {
                out.insert(name, json!(r.varint()? as i64));
            }
            F::Bool => {
                out.insert(name, json!(r.varint()? != 0));
            }
            F::Time => {
                let t = message(r.bytes()?, &[(1, "seconds", F::Int)])?;
                let secs = t["seconds"].as_i64().unwrap_or(0).max(0) as u64;
                out.insert(
                    name,
                    json!(crate::meta::rfc3339(
                        std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)
                    )),
                );
            }
            F::Msg(s) => {
                out.insert(name, message(r.bytes()?, s)?);
            }
            F::MapStr | F::MapBytes => {
                let (k, v) = map_entry(r.bytes()?, matches!(kind, F::MapBytes))?;
                let m = out.entry(name).or_insert_with(|| json!({}));
                m[k] = v;
            }
            F::RepStr => {
                let v = text(r.bytes()?);
                if let Some(a) = out.entry(name).or_insert_with(|| json!([])).as_array_mut() {
                    a.push(v);
                }
            }
            F::RepMsg(s) => {
                let v = message(r.bytes()?, s)?;
                if let Some(a) = out.entry(name).or_insert_with(|| json!([])).as_array_mut() {
                    a.push(v);
                }
            }
        }
    }
    Ok(Value::Object(out))
}

/// Decodes a protobuf body into the JSON object it describes.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or("not a Kubernetes protobuf body")?;
    let unknown = message(
        rest,
        &[
            (
                1,
                "typeMeta",
                F::Msg(&[(1, "apiVersion", F::Str), (2, "kind", F::Str)]),
            ),
            (2, "raw", F::Bytes),
            (4, "contentType", F::Str),
        ],
    )?;
    let api_version = unknown["typeMeta"]["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let kind = unknown["typeMeta"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // `raw` was base64-encoded by the generic reader; decode the inner message directly.
    let raw = raw_field(rest)?;
    let schema: Schema = match (api_version.as_str(), kind.as_str()) {
        ("v1", "Secret") => SECRET,
        ("v1", "ConfigMap") => CONFIG_MAP,
        ("v1", "Namespace") => NAMESPACE,
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => ACCESS_REVIEW,
        (v, k) => {
            return Err(format!(
                "kubesim cannot decode protobuf {k} ({v}); send JSON (Content-Type: application/json)"
            ));
        }
    };
    let mut obj = message(raw, schema)?;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Ok(obj)
}

fn raw_field(b: &[u8]) -> Result<&[u8], String> {
    let mut r = Reader { buf: b, pos: 0 };
    while r.pos < b.len() {
        let tag = r.varint()?;
        if tag >> 3 == 2 && tag & 7 == 2 {
            return r.bytes();
        }
        r.skip(tag & 7)?;
    }
    Ok(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u32, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_a_secret_envelope() {
        let name = field(1, b"sh.helm.release.v1.web.v1");
        let label = field(11, &[field(1, b"owner"), field(2, b"helm")].concat());
        let meta = field(1, &[name, label].concat());
        let data = field(2, &[field(1, b"release"), field(2, b"abc")].concat());
        let typ = field(3, b"helm.sh/release.v1");
        let secret = [meta, data, typ].concat();
        let type_meta = field(1, &[field(1, b"v1"), field(2, b"Secret")].concat());
        let body = [MAGIC.to_vec(), type_meta, field(2, &secret)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(v["kind"], "Secret");
        assert_eq!(v["metadata"]["name"], "sh.helm.release.v1.web.v1");
        assert_eq!(v["metadata"]["labels"]["owner"], "helm");
        assert_eq!(v["data"]["release"], "YWJj");
        assert_eq!(v["type"], "helm.sh/release.v1");
    }
}
