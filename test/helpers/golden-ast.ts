/** One line of ../shared/golden/ast_gorilla*.jsonl.gz: a verdict per response, then a totals line per file. */
export interface GoldenAstRecord {
  type?: 'totals';
  file: string;
  line_index: number;
  question_id: number;
  api_call: string;
  database_index: number;
  matched_api_call: string | null;
  matched_api_name: string | null;
  matched_domain: string | null;
  question_domain: string;
  correct: boolean;
  hallucination: boolean;
  n_responses: number;
  total_correct: number;
  total_hallucination: number;
  final_functionality_accuracy: number;
  final_hallucination: number;
}
