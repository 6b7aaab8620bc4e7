/**
 * Gorilla's prompt formats, reproduced character for character.
 *
 * Sources (ShishirPatil/gorilla, eval/ at 6ea5797, the APIBench snapshot this project pins):
 * - `gorilla-chat` style: `encode_question` in eval/get_llm_responses.py (the GPT/Claude baselines): a system
 *   message and a user message with the answer-format instructions. With retrieved documents,
 *   eval/get_llm_responses_retriever.py appends "\nHere are some reference docs:" and, per document,
 *   "\nAPI <i>: " + str(Document) (pydantic's `str()`: "page_content='…' metadata={}").
 * - `gorilla-model` style: the text of eval/eval-data/questions/<hub>/questions_<hub>_<retriever>.jsonl, which
 *   is what the Gorilla models were evaluated on: the 0-shot question; for bm25 the question +
 *   " \n Use this API documentation for reference: " + str([Document(page_content=str(doc), metadata={})]);
 *   for oracle the question + " \n Use this API documentation for reference:  " (two spaces) + json.dumps(api_data).
 *   On a completions endpoint it is wrapped as inference/gorilla_eval.py does: "###USER: " + text + "###ASSISTANT: ".
 *
 * The HuggingFace domain list in get_llm_responses.py is a Python string with backslash line continuations;
 * each continuation keeps the next line's 8-space indentation, so those runs of spaces are part of the prompt.
 */
import type { Hub } from './apibench-raw.js';
import { pyStrRepr } from './pyvalue.js';

export type PromptStyle = 'gorilla-chat' | 'gorilla-model';
export type Retriever = 'none' | 'bm25' | 'oracle';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Gorilla's `api_name` per hub; TensorFlow Hub is spelled "tensorhub" in its scripts. */
export const GORILLA_API_NAME: Record<Hub, string> = { huggingface: 'huggingface', torchhub: 'torchhub', tensorflowhub: 'tensorhub' };

const HF_DOMAINS = [
  '1. $DOMAIN should include one of {Multimodal Feature Extraction, Multimodal Text-to-Image, Multimodal Image-to-Text, Multimodal Text-to-Video, ',
  'Multimodal Visual Question Answering, Multimodal Document Question Answer, Multimodal Graph Machine Learning, Computer Vision Depth Estimation,',
  'Computer Vision Image Classification, Computer Vision Object Detection, Computer Vision Image Segmentation, Computer Vision Image-to-Image, ',
  'Computer Vision Unconditional Image Generation, Computer Vision Video Classification, Computer Vision Zero-Shor Image Classification, ',
  'Natural Language Processing Text Classification, Natural Language Processing Token Classification, Natural Language Processing Table Question Answering, ',
  'Natural Language Processing Question Answering, Natural Language Processing Zero-Shot Classification, Natural Language Processing Translation, ',
  'Natural Language Processing Summarization, Natural Language Processing Conversational, Natural Language Processing Text Generation, Natural Language Processing Fill-Mask,',
  'Natural Language Processing Text2Text Generation, Natural Language Processing Sentence Similarity, Audio Text-to-Speech, Audio Automatic Speech Recognition, ',
  'Audio Audio-to-Audio, Audio Audio Classification, Audio Voice Activity Detection, Tabular Tabular Classification, Tabular Tabular Regression, ',
  'Reinforcement Learning Reinforcement Learning, Reinforcement Learning Robotics }',
].join('        ');

const DOMAINS: Record<Hub, string> = {
  torchhub:
    '1. $DOMAIN is inferred from the task description and should include one of {Classification, Semantic Segmentation, Object Detection, Audio Separation, Video Classification, Text-to-Speech}.',
  huggingface: HF_DOMAINS,
  tensorflowhub:
    '1. $DOMAIN is inferred from the task description and should include one of {text-sequence-alignment, text-embedding, text-language-model, text-preprocessing, text-classification, text-generation, text-question-answering, text-retrieval-question-answering, text-segmentation, text-to-mel, image-classification, image-feature-vector, image-object-detection, image-segmentation, image-generator, image-pose-detection, image-rnn-agent, image-augmentation, image-classifier, image-style-transfer, image-aesthetic-quality, image-depth-estimation, image-super-resolution, image-deblurring, image-extrapolation, image-text-recognition, image-dehazing, image-deraining, image-enhancemenmt, image-classification-logits, image-frame-interpolation, image-text-detection, image-denoising, image-others, video-classification, video-feature-extraction, video-generation, video-audio-text, video-text, audio-embedding, audio-event-classification, audio-command-detection, audio-paralinguists-classification, audio-speech-to-text, audio-speech-synthesis, audio-synthesis, audio-pitch-extraction}',
};

export const GORILLA_SYSTEM = 'You are a helpful API writer who can write APIs based on requirements.';

/** `encode_question(question, api_name)` from get_llm_responses.py. */
export function gorillaChatMessages(question: string, hub: Hub): ChatMessage[] {
  const apiName = GORILLA_API_NAME[hub];
  const prompt =
    question +
    '\nWrite a python program in 1 to 2 lines to call API in ' +
    apiName +
    '.\n\nThe answer should follow the format: <<<domain>>> $DOMAIN, <<<api_call>>>: $API_CALL, <<<api_provider>>>: $API_PROVIDER, <<<explanation>>>: $EXPLANATION, <<<code>>>: $CODE}. Here are the requirements:\n' +
    DOMAINS[hub] +
    '\n2. The $API_CALL should have only 1 line of code that calls api.\n3. The $API_PROVIDER should be the programming framework used.\n4. $EXPLANATION should be a step-by-step explanation.\n5. The $CODE is the python code.\n6. Do not repeat the format in your answer.';
  return [
    { role: 'system', content: GORILLA_SYSTEM },
    { role: 'user', content: prompt },
  ];
}

/**
 * A retrieved document as Gorilla handles it: `page_content` is `str(api_record)` (Python dict repr) for
 * BM25. `docStr` is that text.
 */
export interface RetrievedDoc {
  docStr: string;
  /** Position in the API database (bm25) or -1 for the oracle record. */
  apiIndex: number;
}

/** get_llm_responses_retriever.py: appends the documents to the last (user) message. */
export function gorillaChatWithDocs(question: string, hub: Hub, docs: RetrievedDoc[]): ChatMessage[] {
  const msgs = gorillaChatMessages(question, hub);
  let content = msgs[1].content + '\nHere are some reference docs:';
  docs.forEach((d, i) => {
    // str(Document) in pydantic: "page_content=<repr> metadata={}"
    content += '\nAPI ' + String(i) + ': ' + `page_content=${pyStrRepr(d.docStr)} metadata={}`;
  });
  msgs[1] = { role: 'user', content };
  return msgs;
}

/** The text of questions_<hub>_bm25.jsonl: question + str(list of Document). */
export function gorillaModelBm25Text(question: string, docs: RetrievedDoc[]): string {
  const list = '[' + docs.map((d) => `Document(page_content=${pyStrRepr(d.docStr)}, metadata={})`).join(', ') + ']';
  return question + ' \n Use this API documentation for reference: ' + list;
}

/** The text of questions_<hub>_oracle.jsonl: question + json.dumps(api_data) (note the two spaces). */
export function gorillaModelOracleText(question: string, apiDataJson: string): string {
  return question + ' \n Use this API documentation for reference:  ' + apiDataJson;
}

/** inference/gorilla_eval.py's completion template. `{prompt}` is replaced by the question text. */
export const GORILLA_COMPLETION_TEMPLATE = '###USER: {prompt}###ASSISTANT: ';

export function applyTemplate(template: string, prompt: string): string {
  return template.split('{prompt}').join(prompt);
}
