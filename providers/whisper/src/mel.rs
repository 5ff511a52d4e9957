//! Whisper's log-mel spectrogram, as OpenAI's `log_mel_spectrogram` computes it: a 400-point
//! short-time Fourier transform with a periodic Hann window every 160 samples (10 ms), centred
//! frames with reflected edges, the power spectrum through 80 (or 128) Slaney mel filters,
//! `log10` clamped at 1e-10, floored at the maximum minus 8 and scaled by `(x + 4) / 4`.
//!
//! The transform is a matrix product (frames × a DFT basis with the window folded in), which
//! candle's matmul runs on every thread; 3,000 frames take tens of milliseconds.

use candle_core::{D, Device, Tensor};

/// Samples per second.
pub(crate) const SAMPLE_RATE: usize = 16_000;
/// The transform's length.
const N_FFT: usize = 400;
/// Samples between frames.
pub(crate) const HOP: usize = 160;
/// Frequency bins of a real transform of `N_FFT` samples.
const BINS: usize = N_FFT / 2 + 1;
/// Frames per call of the transform, bounding its memory.
const FRAMES_PER_BLOCK: usize = 3_000;

/// The fixed parts of the spectrogram: the windowed DFT basis and the mel filters.
pub(crate) struct MelSpectrogram {
    /// `[N_FFT, 2·BINS]`: the window times cos, then times −sin.
    basis: Tensor,
    /// `[BINS, n_mels]`.
    filters: Tensor,
    n_mels: usize,
}

impl MelSpectrogram {
    /// The transform for `n_mels` filters.
    pub(crate) fn new(n_mels: usize) -> candle_core::Result<Self> {
        let window: Vec<f64> = (0..N_FFT)
            .map(|n| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64).cos())
            .collect();
        let mut basis = vec![0f32; N_FFT * 2 * BINS];
        for (n, w) in window.iter().enumerate() {
            for k in 0..BINS {
                // (k·n) mod N keeps the angle small, so the table is as exact as f64 allows.
                let angle = 2.0 * std::f64::consts::PI * ((k * n) % N_FFT) as f64 / N_FFT as f64;
                basis[n * 2 * BINS + k] = (w * angle.cos()) as f32;
                basis[n * 2 * BINS + BINS + k] = (-w * angle.sin()) as f32;
            }
        }
        let filters = mel_filters(n_mels);
        let mut transposed = vec![0f32; BINS * n_mels];
        for (m, row) in filters.chunks(BINS).enumerate() {
            for (k, value) in row.iter().enumerate() {
                transposed[k * n_mels + m] = *value;
            }
        }
        Ok(Self {
            basis: Tensor::from_vec(basis, (N_FFT, 2 * BINS), &Device::Cpu)?,
            filters: Tensor::from_vec(transposed, (BINS, n_mels), &Device::Cpu)?,
            n_mels,
        })
    }

    /// The normalised log-mel spectrogram `[n_mels, frames]` of `pcm` followed by `padding`
    /// samples of silence: `(pcm.len() + padding) / HOP` frames.
    pub(crate) fn compute(&self, pcm: &[f32], padding: usize) -> candle_core::Result<Tensor> {
        let total = pcm.len() + padding;
        let frames = total / HOP;
        let half = N_FFT / 2;
        // The padded signal at index i (centred frames reflect at both ends).
        let sample = |i: isize| -> f32 {
            let len = total as isize;
            let j = if i < 0 {
                -i
            } else if i >= len {
                2 * (len - 1) - i
            } else {
                i
            };
            usize::try_from(j).ok().and_then(|j| pcm.get(j)).copied().unwrap_or(0.0)
        };
        let mut blocks = Vec::with_capacity(frames.div_ceil(FRAMES_PER_BLOCK));
        let mut start = 0;
        while start < frames {
            let count = FRAMES_PER_BLOCK.min(frames - start);
            let mut windows = vec![0f32; count * N_FFT];
            for (f, window) in windows.chunks_mut(N_FFT).enumerate() {
                let first = ((start + f) * HOP) as isize - half as isize;
                if first >= 0 && first as usize + N_FFT <= pcm.len() {
                    window.copy_from_slice(&pcm[first as usize..first as usize + N_FFT]);
                } else {
                    for (n, value) in window.iter_mut().enumerate() {
                        *value = sample(first + n as isize);
                    }
                }
            }
            let windows = Tensor::from_vec(windows, (count, N_FFT), &Device::Cpu)?;
            let spectrum = windows.matmul(&self.basis)?;
            let re = spectrum.narrow(1, 0, BINS)?;
            let im = spectrum.narrow(1, BINS, BINS)?;
            let power = (re.sqr()? + im.sqr()?)?;
            let mel = power.matmul(&self.filters)?;
            blocks.push(mel.maximum(1e-10)?.log()?.affine(1.0 / std::f64::consts::LN_10, 0.0)?);
            start += count;
        }
        if blocks.is_empty() {
            return Tensor::zeros((self.n_mels, 0), candle_core::DType::F32, &Device::Cpu);
        }
        let log = Tensor::cat(&blocks, 0)?;
        let max = log.max_keepdim(D::Minus1)?.max_keepdim(0)?.to_vec2::<f32>()?[0][0];
        let floored = log.maximum(max - 8.0)?;
        floored.affine(0.25, 1.0)?.t()?.contiguous()
    }
}

/// Slaney-style mel filters for Whisper's transform (librosa's `filters.mel(sr=16000,
/// n_fft=400, n_mels)` with its defaults: `htk=False`, `norm="slaney"`), row-major
/// `[n_mels, BINS]`.
pub(crate) fn mel_filters(n_mels: usize) -> Vec<f32> {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;
    let log_step = 6.4f64.ln() / 27.0;
    let hz_to_mel = |hz: f64| {
        if hz >= MIN_LOG_HZ { MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step } else { hz / F_SP }
    };
    let mel_to_hz = |mel: f64| {
        if mel >= MIN_LOG_MEL { MIN_LOG_HZ * (log_step * (mel - MIN_LOG_MEL)).exp() } else { mel * F_SP }
    };
    let nyquist = SAMPLE_RATE as f64 / 2.0;
    let top = hz_to_mel(nyquist);
    let edges: Vec<f64> = (0..n_mels + 2).map(|i| mel_to_hz(top * i as f64 / (n_mels + 1) as f64)).collect();
    let bin_hz = |k: usize| k as f64 * nyquist / (BINS - 1) as f64;
    let mut filters = vec![0f32; n_mels * BINS];
    for m in 0..n_mels {
        let (low, centre, high) = (edges[m], edges[m + 1], edges[m + 2]);
        let norm = 2.0 / (high - low);
        for k in 0..BINS {
            let f = bin_hz(k);
            let rising = (f - low) / (centre - low);
            let falling = (high - f) / (high - centre);
            filters[m * BINS + k] = (rising.min(falling).max(0.0) * norm) as f32;
        }
    }
    filters
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn filters_match_librosa() {
        // Values of librosa.filters.mel(sr=16000, n_fft=400, n_mels=80) (Whisper's
        // mel_filters.npz): filter 0 peaks at bin 1, filter 79 covers the top bins.
        let f = mel_filters(80);
        assert!((f[1] - 0.024_862_4).abs() < 1e-5, "{}", f[1]);
        assert_eq!(f[0], 0.0);
        assert!(f[2] < 1e-6);
        let last = &f[79 * BINS..80 * BINS];
        let peak = last.iter().copied().fold(0f32, f32::max);
        assert!(peak > 0.0 && last[0] == 0.0);
        // Every bin from 1 to the top is covered by some filter.
        for k in 1..BINS - 1 {
            assert!((0..80).any(|m| f[m * BINS + k] > 0.0), "bin {k} uncovered");
        }
    }

    #[test]
    fn a_tone_lights_the_filter_around_its_frequency() {
        let mel = MelSpectrogram::new(80).unwrap();
        let pcm: Vec<f32> = (0..16_000)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16_000.0).sin() * 0.5)
            .collect();
        let spec = mel.compute(&pcm, 0).unwrap();
        assert_eq!(spec.dims(), &[80, 100]);
        let column: Vec<f32> = spec.narrow(1, 50, 1).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        let loudest = column.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        // 1 kHz is mel 15 on Slaney's scale, which runs to 45.25 at 8 kHz over 81 steps: the
        // filter centred on step 27 (about 1,008 Hz) is number 26.
        assert_eq!(loudest, 26);
    }
}
