//! The Kubernetes manifests of `deploy/k8s`, read with dfmt itself, against the server they run: the port, the
//! probe paths (answered by the router) and the shutdown grace agree with the server's defaults, the security
//! settings are all there, and the objects select one another.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dfmt_core::{Format, Options, SliceInput};
use dfmt_server::{Config, Settings, app};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/k8s")
}

/// A manifest as JSON, read with dfmt's YAML reader.
fn manifest(name: &str) -> Value {
    let text = std::fs::read(folder().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let json = dfmt_core::convert(&mut SliceInput::new(&text), Format::Yaml, Format::Json, &Options::default(), vec![])
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_slice(&json).unwrap()
}

fn str_at<'v>(value: &'v Value, pointer: &str) -> &'v str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("no string at {pointer}"))
}

fn u64_at(value: &Value, pointer: &str) -> u64 {
    value.pointer(pointer).and_then(Value::as_u64).unwrap_or_else(|| panic!("no number at {pointer}"))
}

/// A Kubernetes memory quantity (`512Mi`, `1Gi`, `128974848`) in bytes.
fn bytes(quantity: &str) -> u64 {
    let (digits, unit) = quantity.split_at(quantity.find(|c: char| !c.is_ascii_digit()).unwrap_or(quantity.len()));
    let scale = match unit {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        other => panic!("unit {other} not handled here"),
    };
    digits.parse::<u64>().unwrap() * scale
}

/// The value of environment variable `name` in `container`.
fn env<'v>(container: &'v Value, name: &str) -> &'v str {
    let vars = container["env"].as_array().unwrap();
    let var = vars.iter().find(|v| v["name"] == name).unwrap_or_else(|| panic!("no {name} in env"));
    var["value"].as_str().unwrap()
}

/// True when every label of `selector` is among `labels`.
fn selects(selector: &Value, labels: &Value) -> bool {
    selector.as_object().unwrap().iter().all(|(key, value)| labels.get(key) == Some(value))
}

#[test]
fn every_manifest_is_listed_and_reads() {
    let kustomization = manifest("kustomization.yaml");
    let mut listed: Vec<String> =
        kustomization["resources"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
    listed.push("kustomization.yaml".to_owned());
    let mut present: Vec<String> = std::fs::read_dir(folder())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    listed.sort();
    present.sort();
    assert_eq!(listed, present, "every manifest in deploy/k8s is a resource of the kustomization");
    for name in &present {
        assert!(manifest(name).is_object(), "{name}");
    }
}

#[tokio::test]
async fn the_deployment_agrees_with_the_server() {
    let deployment = manifest("deployment.yaml");
    let defaults = Config::default();
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(u64_at(&deployment, "/spec/replicas"), 2);

    // The port: what the server is told to listen on, what the container declares, what the probes use.
    let listen: std::net::SocketAddr = env(container, "DFMT_LISTEN").parse().unwrap();
    assert!(listen.ip().is_unspecified(), "listens on every interface of the pod");
    assert_eq!(listen.port(), defaults.listen.port(), "the server's default port");
    let port = &container["ports"][0];
    assert_eq!((u64_at(port, "/containerPort"), str_at(port, "/name")), (u64::from(listen.port()), "http"));

    // The probes: paths the router answers with 200, on the named port.
    for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
        assert_eq!(str_at(container, &format!("/{probe}/httpGet/path")), path);
        assert_eq!(str_at(container, &format!("/{probe}/httpGet/port")), "http");
        let request = Request::get(path).body(Body::empty()).unwrap();
        let answer = app(&defaults).oneshot(request).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
    }

    // The grace: the server's default, and the kubelet waits longer than the pause and the grace together.
    let grace_ms: u64 = env(container, "DFMT_SHUTDOWN_GRACE_MS").parse().unwrap();
    assert_eq!(grace_ms, defaults.shutdown_grace.as_millis() as u64);
    let pause_s = u64_at(container, "/lifecycle/preStop/sleep/seconds");
    assert!(u64_at(pod, "/terminationGracePeriodSeconds") * 1000 > pause_s * 1000 + grace_ms);

    // Resources and security.
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(container["resources"][kind][resource].is_string(), "{kind}.{resource}");
        }
    }
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert!(u64_at(pod, "/securityContext/runAsUser") > 0, "a numeric user that is not root");
    assert_eq!(str_at(pod, "/securityContext/seccompProfile/type"), "RuntimeDefault");
    let security = &container["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"], serde_json::json!(["ALL"]));

    // The settings: mounted from the generated ConfigMap, accepted by the server, and within the memory limit.
    let kustomization = manifest("kustomization.yaml");
    let generated = str_at(&kustomization, "/configMapGenerator/0/name");
    assert_eq!(str_at(pod, "/volumes/0/configMap/name"), generated);
    let mount = str_at(container, "/volumeMounts/0/mountPath");
    let file = str_at(&kustomization, "/configMapGenerator/0/files/0");
    assert_eq!(env(container, "DFMT_CONFIG"), format!("{mount}/{file}"));
    let settings = Settings::default().with_file(&folder().join(file)).unwrap();
    let memory = bytes(str_at(container, "/resources/limits/memory"));
    assert!(settings.max_bodies_in_flight <= memory / 2, "bodies and answers in flight fit in half the limit");
}

#[test]
fn the_other_objects_select_the_deployments_pods() {
    let deployment = manifest("deployment.yaml");
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert!(selects(&deployment["spec"]["selector"]["matchLabels"], labels));

    let service = manifest("service.yaml");
    assert!(selects(&service["spec"]["selector"], labels));
    assert_eq!(str_at(&service, "/spec/ports/0/targetPort"), "http");

    let hpa = manifest("hpa.yaml");
    assert_eq!(str_at(&hpa, "/spec/scaleTargetRef/kind"), "Deployment");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], deployment["metadata"]["name"]);
    assert_eq!(u64_at(&hpa, "/spec/minReplicas"), u64_at(&deployment, "/spec/replicas"));
    assert!(u64_at(&hpa, "/spec/maxReplicas") > u64_at(&hpa, "/spec/minReplicas"));
    assert_eq!(str_at(&hpa, "/spec/metrics/0/resource/name"), "cpu");

    let pdb = manifest("pdb.yaml");
    assert!(selects(&pdb["spec"]["selector"]["matchLabels"], labels));
    assert!(u64_at(&pdb, "/spec/minAvailable") < u64_at(&deployment, "/spec/replicas"));

    let policy = manifest("networkpolicy.yaml");
    assert!(selects(&policy["spec"]["podSelector"]["matchLabels"], labels));
    assert_eq!(str_at(&policy, "/spec/ingress/0/ports/0/port"), "http");
    assert_eq!(policy["spec"]["policyTypes"], serde_json::json!(["Ingress", "Egress"]));
    assert_eq!(policy["spec"]["egress"], serde_json::json!([]), "nothing goes out");
}
