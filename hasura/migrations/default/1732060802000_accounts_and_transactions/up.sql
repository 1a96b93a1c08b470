CREATE TABLE public.accounts (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    number text NOT NULL,
    type text NOT NULL,
    name text,
    balance numeric(18, 2) NOT NULL DEFAULT 0,
    currency text NOT NULL DEFAULT 'USD',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_number_key UNIQUE (number),
    CONSTRAINT accounts_type_check CHECK (type IN ('CHECKING', 'SAVINGS', 'CREDIT')),
    CONSTRAINT accounts_currency_shape CHECK (currency ~ '^[A-Z]{3}$'),
    -- Only credit accounts may go below zero.
    CONSTRAINT accounts_balance_check CHECK (type = 'CREDIT' OR balance >= 0)
);
COMMENT ON TABLE public.accounts IS 'Bank accounts; owners and co-holders are linked through account_users';

CREATE TRIGGER accounts_set_updated_at
    BEFORE UPDATE ON public.accounts
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE public.account_users (
    account_id uuid NOT NULL,
    user_id text NOT NULL,
    role text NOT NULL DEFAULT 'OWNER',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_users_pkey PRIMARY KEY (account_id, user_id),
    CONSTRAINT account_users_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES public.accounts (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT account_users_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT account_users_role_check CHECK (role IN ('OWNER', 'JOINT', 'VIEWER'))
);
COMMENT ON TABLE public.account_users IS 'Who holds which account, and as what';
-- Permission checks walk from the session's user to its accounts: index that direction too.
CREATE INDEX account_users_user_id_idx ON public.account_users (user_id);

CREATE TABLE public.transactions (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL,
    amount numeric(18, 2) NOT NULL,
    type text NOT NULL,
    status text NOT NULL DEFAULT 'PENDING',
    description text,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT transactions_pkey PRIMARY KEY (id),
    CONSTRAINT transactions_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES public.accounts (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT transactions_amount_positive CHECK (amount > 0),
    CONSTRAINT transactions_type_check
        CHECK (type IN ('DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT', 'PAYMENT', 'FEE', 'INTEREST')),
    CONSTRAINT transactions_status_check CHECK (status IN ('PENDING', 'POSTED', 'FAILED', 'REVERSED'))
);
COMMENT ON TABLE public.transactions IS 'Money movements on an account; amount is positive, type gives the direction';
-- "Latest transactions of an account" is the app's main screen: one index scan, newest first.
CREATE INDEX transactions_account_id_occurred_at_idx
    ON public.transactions (account_id, occurred_at DESC, id DESC);

CREATE TRIGGER transactions_set_updated_at
    BEFORE UPDATE ON public.transactions
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
