//! DynamoDB's attribute-value JSON (placeholder until it lands).
