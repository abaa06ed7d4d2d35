//! The answer to a signed request, fully read (index.js wraps it as `Response`).

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::errors;

#[napi]
pub struct NativeResponse {
    inner: authtoken::Response,
}

impl NativeResponse {
    pub fn new(inner: authtoken::Response) -> NativeResponse {
        NativeResponse { inner }
    }
}

#[napi]
impl NativeResponse {
    #[napi(getter)]
    pub fn status(&self) -> u32 {
        u32::from(self.inner.status())
    }

    /// The final URL (after redirects).
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// The headers as `[name, value]` pairs, in the order received (names lowercase).
    #[napi(getter)]
    pub fn headers(&self) -> Vec<(String, String)> {
        self.inner.headers().to_vec()
    }

    /// The body (a copy).
    #[napi(getter)]
    pub fn body(&self) -> Buffer {
        Buffer::from(self.inner.body().to_vec())
    }

    /// Throws the core's error for a status of 400 or more (the one status -> error mapping
    /// of every binding); returns nothing otherwise.
    #[napi]
    pub fn raise_for_status(&self) -> napi::Result<()> {
        if self.inner.status() < 400 {
            return Ok(());
        }
        match self.inner.clone().error_for_status() {
            Ok(_) => Ok(()),
            Err(e) => Err(errors::to_napi(&e)),
        }
    }
}
