-- The physical floor of payday, in one statement: every reader's split of March 2025 (given,
-- 10% commission rounded half up, even shares, leftover cents by sha256 order) written as
-- transfer rows into a minimal ledger table (primary key + unique idempotency key only).
-- bench/payday_bench.py runs it after generating its data and reports it as the physical floor;
-- by hand: psql -h 127.0.0.1 -U postgres -d flattr_bench -f bench/payday_floor.sql
-- (the same statement as ../shared/bench/payday_floor.sql).
DROP TABLE IF EXISTS floor_transfer;
CREATE TABLE floor_transfer (id bigserial PRIMARY KEY, debit_id bigint NOT NULL, credit_id bigint NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0), idempotency_key varchar(200) NOT NULL UNIQUE,
  kind varchar(20) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
\timing on
BEGIN;
WITH pairs AS (
  SELECT DISTINCT c.reader_id, c.creator_id FROM tips_click c JOIN accounts_user u ON u.id = c.creator_id
  WHERE c.month = '2025-03-01' AND c.revoked_at IS NULL AND u.suspended_at IS NULL AND u.is_active
    AND c.creator_id <> c.reader_id
), budgets AS (
  SELECT DISTINCT ON (user_id) user_id, amount_cents FROM payouts_budgetchange
  WHERE created_at < '2025-04-01' ORDER BY user_id, created_at DESC, id DESC
), readers AS (
  SELECT p.reader_id, w.id AS wallet_id, LEAST(b.amount_cents, w.balance_cents + b.amount_cents) AS given, count(*) AS n
  FROM pairs p JOIN budgets b ON b.user_id = p.reader_id
  JOIN payouts_account w ON w.kind = 'wallet' AND w.user_id = p.reader_id
  GROUP BY p.reader_id, w.id, b.amount_cents, w.balance_cents
), split AS (
  SELECT r.*, (r.given * 1000 + 5000) / 10000 AS commission FROM readers r
), ranked AS (
  SELECT p.reader_id, p.creator_id, s.wallet_id, s.given, s.commission, s.n,
         row_number() OVER (PARTITION BY p.reader_id ORDER BY sha256(convert_to('2025-03:' || p.reader_id || ':' || p.creator_id, 'UTF8'))) AS rk
  FROM pairs p JOIN split s USING (reader_id)
), rows AS (
  SELECT wallet_id AS debit_id, e.id AS credit_id,
         (given - commission) / n + CASE WHEN rk <= (given - commission) % n THEN 1 ELSE 0 END AS amount,
         'floor:2025-03:' || reader_id || ':' || creator_id AS key, 'distribution' AS kind
  FROM ranked JOIN payouts_account e ON e.kind = 'earnings' AND e.user_id = ranked.creator_id
  UNION ALL
  SELECT wallet_id, 0, commission, 'floor:2025-03:' || reader_id || ':commission', 'commission' FROM split WHERE commission > 0
)
INSERT INTO floor_transfer (debit_id, credit_id, amount_cents, idempotency_key, kind)
SELECT debit_id, credit_id, amount, key, kind FROM rows WHERE amount > 0;
COMMIT;
\timing off
SELECT count(*) AS floor_rows FROM floor_transfer;
DROP TABLE floor_transfer;
