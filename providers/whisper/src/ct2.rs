//! A reader for CTranslate2's `model.bin`, the file faster-whisper loads.
//!
//! The format (binary version 6, little-endian): `u32` version, the spec's name (`u16` length
//! including a trailing NUL, the bytes, the NUL), `u32` revision, `u32` variable count; each
//! variable is a name, `u8` rank, `u32` per dimension, `u8` data type, `u32` byte count and the
//! bytes; then `u32` alias count and that many pairs of names (alias, target). Data types are
//! CTranslate2's `DataType`: 0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};

/// The binary version this reader understands.
const VERSION: u32 = 6;

/// One stored variable.
pub(crate) struct Variable<'a> {
    /// Its dimensions; empty for a scalar.
    pub(crate) shape: Vec<usize>,
    /// CTranslate2's data type code.
    pub(crate) dtype: u8,
    /// The raw little-endian bytes.
    pub(crate) bytes: &'a [u8],
}

impl Variable<'_> {
    /// The variable as a float32 tensor (float16, bfloat16 and float32 are accepted).
    pub(crate) fn tensor(&self, name: &str) -> Result<Tensor, String> {
        let dtype = match self.dtype {
            0 => DType::F32,
            4 => DType::F16,
            5 => DType::BF16,
            other => return Err(format!("{name} holds {} values, not floating point", type_name(other))),
        };
        let expected = self.shape.iter().product::<usize>() * dtype.size_in_bytes();
        if expected != self.bytes.len() {
            return Err(format!("{name}: {} bytes for shape {:?}", self.bytes.len(), self.shape));
        }
        Tensor::from_raw_buffer(self.bytes, dtype, &self.shape, &Device::Cpu)
            .and_then(|t| t.to_dtype(DType::F32))
            .map_err(|e| format!("{name}: {e}"))
    }

    /// The variable as one integer (the model's settings, such as `num_heads`).
    pub(crate) fn integer(&self, name: &str) -> Result<i64, String> {
        let b = self.bytes;
        let value = match (self.dtype, b.len()) {
            (1, 1) => i64::from(b[0] as i8),
            (2, 2) => i64::from(i16::from_le_bytes([b[0], b[1]])),
            (3, 4) => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            _ => return Err(format!("{name} is not an integer scalar")),
        };
        Ok(value)
    }
}

fn type_name(code: u8) -> &'static str {
    match code {
        0 => "float32",
        1 => "int8",
        2 => "int16",
        3 => "int32",
        4 => "float16",
        5 => "bfloat16",
        _ => "unknown",
    }
}

/// A parsed `model.bin`: its spec name and variables by name (aliases resolved), borrowing the
/// file's bytes.
pub(crate) struct Ct2Model<'a> {
    /// Such as `WhisperSpec`.
    pub(crate) spec: String,
    variables: HashMap<String, Variable<'a>>,
    aliases: HashMap<String, String>,
}

impl<'a> Ct2Model<'a> {
    /// Parses the whole file; every length is checked against what is left.
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, String> {
        let mut reader = Reader { bytes, at: 0 };
        let version = reader.u32()?;
        if version != VERSION {
            return Err(format!(
                "CTranslate2 binary version {version}, but only version {VERSION} is supported (convert the model with CTranslate2 3.x or 4.x)"
            ));
        }
        let spec = reader.string()?;
        let _revision = reader.u32()?;
        let count = reader.u32()? as usize;
        let mut variables = HashMap::with_capacity(count.min(4096));
        for _ in 0..count {
            let name = reader.string()?;
            let rank = reader.u8()? as usize;
            let shape = (0..rank).map(|_| reader.u32().map(|d| d as usize)).collect::<Result<Vec<_>, _>>()?;
            let dtype = reader.u8()?;
            let len = reader.u32()? as usize;
            let bytes = reader.take(len)?;
            variables.insert(name, Variable { shape, dtype, bytes });
        }
        let alias_count = reader.u32()? as usize;
        let mut aliases = HashMap::new();
        for _ in 0..alias_count {
            let alias = reader.string()?;
            let target = reader.string()?;
            aliases.insert(alias, target);
        }
        if reader.at != bytes.len() {
            return Err(format!("{} unexpected bytes after the last alias", bytes.len() - reader.at));
        }
        Ok(Self { spec, variables, aliases })
    }

    /// A variable by name or alias.
    pub(crate) fn get(&self, name: &str) -> Result<&Variable<'a>, String> {
        let target = self.aliases.get(name).map_or(name, String::as_str);
        self.variables.get(target).ok_or_else(|| format!("the model has no variable {name}"))
    }

    /// Whether a variable (or alias) exists.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.aliases.contains_key(name) || self.variables.contains_key(name)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(len).filter(|end| *end <= self.bytes.len()).ok_or_else(|| {
            format!(
                "the file ends early (needed {len} bytes at offset {}, it has {})",
                self.at,
                self.bytes.len()
            )
        })?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A length-prefixed, NUL-terminated UTF-8 string.
    fn string(&mut self) -> Result<String, String> {
        let len = self.u16()? as usize;
        let raw = self.take(len)?;
        let text = raw.strip_suffix(&[0]).ok_or_else(|| "a name is not NUL-terminated".to_owned())?;
        String::from_utf8(text.to_vec()).map_err(|_| "a name is not UTF-8".to_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    fn file() -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&6u32.to_le_bytes());
        string(&mut out, "WhisperSpec");
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&2u32.to_le_bytes());
        string(&mut out, "heads");
        out.push(0);
        out.push(2);
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&6i16.to_le_bytes());
        string(&mut out, "w");
        out.push(2);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&2u32.to_le_bytes());
        out.push(4);
        out.extend_from_slice(&4u32.to_le_bytes());
        // float16 1.0 and -2.0
        out.extend_from_slice(&[0x00, 0x3c, 0x00, 0xc0]);
        out.extend_from_slice(&1u32.to_le_bytes());
        string(&mut out, "alias");
        string(&mut out, "w");
        out
    }

    #[test]
    fn reads_variables_scalars_and_aliases() {
        let bytes = file();
        let model = Ct2Model::parse(&bytes).unwrap();
        assert_eq!(model.spec, "WhisperSpec");
        assert_eq!(model.get("heads").unwrap().integer("heads").unwrap(), 6);
        let w = model.get("alias").unwrap().tensor("w").unwrap();
        assert_eq!(w.dims(), &[1, 2]);
        assert_eq!(w.to_vec2::<f32>().unwrap(), vec![vec![1.0, -2.0]]);
        assert!(model.get("missing").is_err());
    }

    #[test]
    fn truncated_and_foreign_files_are_refused() {
        let bytes = file();
        for cut in [0, 3, 10, bytes.len() - 1] {
            assert!(Ct2Model::parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut other = bytes.clone();
        other[0] = 5;
        assert!(Ct2Model::parse(&other).err().unwrap().contains("version 5"));
    }
}
