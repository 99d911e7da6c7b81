//! Alias expansion and merge keys (being written).

/// Expands aliases and applies merge keys.
#[derive(Debug)]
pub struct Resolve<S> {
    inner: S,
}

impl<S> Resolve<S> {
    /// The sink the resolved events go to.
    pub fn into_inner(self) -> S {
        self.inner
    }
}
