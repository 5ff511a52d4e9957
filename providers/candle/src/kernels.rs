//! The vectorised CPU kernels of this crate's model, for other in-process models on candle
//! (the whisper provider): erf-GELU with or without a fused bias, and softmax over the last
//! dimension. candle's own versions call a scalar `erf` and `exp` per element; these compile
//! for AVX-512, AVX2 or the baseline and pick at run time (`pulp`), and split rows over the
//! current rayon pool.

use candle_core::{CpuStorage, CustomOp1, InplaceOp1, Layout, Result, Shape};
use rayon::prelude::*;

pub use crate::gelu::BiasGelu;

/// Values per rayon task: enough that a task is worth scheduling.
const TASK_VALUES: usize = 16_384;

fn contiguous_f32<'a>(storage: &'a CpuStorage, layout: &Layout, op: &str) -> Result<&'a [f32]> {
    let CpuStorage::F32(values) = storage else {
        candle_core::bail!("{op} expects f32 tensors");
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op} expects contiguous tensors");
    };
    Ok(&values[start..end])
}

/// Exact (erf) GELU, elementwise.
pub struct Gelu;

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "viva-gelu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let xs = contiguous_f32(storage, layout, "gelu")?;
        let mut out = vec![0f32; xs.len()];
        let arch = pulp::Arch::new();
        out.par_chunks_mut(TASK_VALUES).zip(xs.par_chunks(TASK_VALUES)).for_each(|(out, xs)| {
            arch.dispatch(GeluValues { out, xs });
        });
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

struct GeluValues<'a> {
    out: &'a mut [f32],
    xs: &'a [f32],
}

impl pulp::WithSimd for GeluValues<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        for (o, &x) in self.out.iter_mut().zip(self.xs) {
            *o = crate::gelu::gelu(x);
        }
    }
}

/// Softmax over the last dimension, into a new tensor (`apply_op1_no_bwd`) or in place
/// (`inplace_op1`, which spares allocating and faulting in a copy of large attention scores).
pub struct SoftmaxLastDim;

impl SoftmaxLastDim {
    fn rows(values: &mut [f32], width: usize) {
        let rows_per_task = (TASK_VALUES / width).max(1);
        let arch = pulp::Arch::new();
        values.par_chunks_mut(width * rows_per_task).for_each(|rows| {
            arch.dispatch(SoftmaxRows { rows, width });
        });
    }
}

impl InplaceOp1 for SoftmaxLastDim {
    fn name(&self) -> &'static str {
        "viva-softmax-last-dim"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> Result<()> {
        let CpuStorage::F32(values) = storage else {
            candle_core::bail!("softmax expects f32 tensors");
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("softmax expects contiguous tensors");
        };
        let width = layout.shape().dims().last().copied().unwrap_or(1).max(1);
        Self::rows(&mut values[start..end], width);
        Ok(())
    }
}

impl CustomOp1 for SoftmaxLastDim {
    fn name(&self) -> &'static str {
        "viva-softmax-last-dim"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let xs = contiguous_f32(storage, layout, "softmax")?;
        let width = layout.shape().dims().last().copied().unwrap_or(1).max(1);
        let mut out = xs.to_vec();
        Self::rows(&mut out, width);
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

struct SoftmaxRows<'a> {
    rows: &'a mut [f32],
    width: usize,
}

impl pulp::WithSimd for SoftmaxRows<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        for row in self.rows.chunks_exact_mut(self.width) {
            crate::attention::softmax_in_place(row);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use candle_core::{Device, Tensor};

    use super::*;

    #[test]
    fn kernels_match_candles_own() {
        let values: Vec<f32> = (0..3 * 1000).map(|i| ((i * 37 % 1000) as f32 - 500.0) / 60.0).collect();
        let x = Tensor::from_vec(values, (3, 1000), &Device::Cpu).unwrap();
        let ours = x.apply_op1_no_bwd(&SoftmaxLastDim).unwrap();
        let theirs = candle_nn::ops::softmax_last_dim(&x).unwrap();
        let diff = (&ours - &theirs).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
        assert!(diff < 1e-6, "softmax differs by {diff}");
        let in_place = x.copy().unwrap();
        in_place.inplace_op1(&SoftmaxLastDim).unwrap();
        let diff = (in_place - ours).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
        assert_eq!(diff, 0.0);
        let ours = x.apply_op1_no_bwd(&Gelu).unwrap();
        let theirs = x.gelu_erf().unwrap();
        let diff = (ours - theirs).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
        assert!(diff < 1e-5, "gelu differs by {diff}");
    }
}
