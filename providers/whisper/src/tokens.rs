//! Whisper's special tokens, read from `tokenizer.json`, and the token lists of CTranslate2's
//! `config.json` (tokens to suppress, the language tokens).

use std::collections::HashMap;

use serde::Deserialize;
use tokenizers::Tokenizer;

/// CTranslate2's `config.json` for a Whisper model.
#[derive(Debug, Deserialize)]
pub(crate) struct Ct2Config {
    /// Tokens never sampled (punctuation-like symbols Whisper's authors chose, and specials).
    #[serde(default)]
    pub(crate) suppress_ids: Vec<u32>,
    /// Tokens not sampled first (the blank and end of text).
    #[serde(default)]
    pub(crate) suppress_ids_begin: Vec<u32>,
    /// The language tokens of a multilingual model.
    #[serde(default)]
    pub(crate) lang_ids: Vec<u32>,
}

/// The token ids decoding needs.
#[derive(Debug, Clone)]
pub(crate) struct SpecialTokens {
    pub(crate) eot: u32,
    pub(crate) sot: u32,
    pub(crate) sot_prev: u32,
    pub(crate) transcribe: u32,
    pub(crate) no_speech: u32,
    /// `<|0.00|>`; every id from here up is a timestamp, 20 ms apart.
    pub(crate) timestamp_begin: u32,
    pub(crate) suppress: Vec<u32>,
    pub(crate) suppress_begin: Vec<u32>,
    /// Language codes by token id; empty for an English-only model.
    pub(crate) languages: HashMap<u32, String>,
}

impl SpecialTokens {
    /// Reads the specials from the tokenizer; `vocab_size` is the model's (which includes the
    /// timestamps the tokenizer may not list).
    pub(crate) fn new(tokenizer: &Tokenizer, config: &Ct2Config, vocab_size: usize) -> Result<Self, String> {
        let id = |token: &str| {
            tokenizer.token_to_id(token).ok_or_else(|| format!("the tokenizer has no {token} token"))
        };
        let no_timestamps = id("<|notimestamps|>")?;
        let no_speech = id("<|nospeech|>").or_else(|_| id("<|nocaptions|>"))?;
        let timestamp_begin = no_timestamps + 1;
        if timestamp_begin as usize >= vocab_size {
            return Err(format!("the vocabulary ({vocab_size}) has no room for timestamp tokens"));
        }
        // OpenAI's rule: the multilingual vocabularies are the larger ones.
        let multilingual = vocab_size >= 51_865;
        let languages = if multilingual {
            config
                .lang_ids
                .iter()
                .filter_map(|&t| {
                    let token = tokenizer.id_to_token(t)?;
                    let code = token.strip_prefix("<|")?.strip_suffix("|>")?;
                    Some((t, code.to_owned()))
                })
                .collect()
        } else {
            HashMap::new()
        };
        if multilingual && languages.is_empty() {
            return Err("config.json lists no language tokens (lang_ids) for a multilingual model".to_owned());
        }
        Ok(Self {
            eot: id("<|endoftext|>")?,
            sot: id("<|startoftranscript|>")?,
            sot_prev: id("<|startofprev|>")?,
            transcribe: id("<|transcribe|>")?,
            no_speech,
            timestamp_begin,
            suppress: config.suppress_ids.clone(),
            suppress_begin: config.suppress_ids_begin.clone(),
            languages,
        })
    }

    /// Whether the model is multilingual (and takes a language token).
    pub(crate) fn multilingual(&self) -> bool {
        !self.languages.is_empty()
    }

    /// The token of a language code (`en`, or the primary subtag of `en-GB`).
    pub(crate) fn language_token(&self, language: &str) -> Option<u32> {
        let primary = language.split(['-', '_']).next()?.to_ascii_lowercase();
        self.languages.iter().find(|(_, code)| **code == primary).map(|(t, _)| *t)
    }
}
