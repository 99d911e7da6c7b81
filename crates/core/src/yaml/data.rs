//! YAML data to JSON's rules (being written).

/// Applies JSON's rules to YAML data.
#[derive(Debug)]
pub struct ToJson<S> {
    inner: S,
}

impl<S> ToJson<S> {
    /// The sink the events go to.
    pub fn into_inner(self) -> S {
        self.inner
    }
}
