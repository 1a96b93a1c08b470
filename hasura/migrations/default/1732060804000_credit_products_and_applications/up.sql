-- An enum table (value + comment) so Hasura exposes the status as a GraphQL enum.
CREATE TABLE public.credit_application_status (
    value text NOT NULL,
    comment text,
    CONSTRAINT credit_application_status_pkey PRIMARY KEY (value)
);
COMMENT ON TABLE public.credit_application_status IS 'Statuses of a credit application (a Hasura enum)';
INSERT INTO public.credit_application_status (value, comment) VALUES
    ('PENDING', 'Submitted, waiting for a decision'),
    ('APPROVED', 'Accepted; the credit line is granted'),
    ('DENIED', 'Declined');

CREATE TABLE public.credit_products (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    code text NOT NULL,
    name text NOT NULL,
    description text,
    kind text NOT NULL,
    annual_rate_percent numeric(5, 2) NOT NULL,
    min_amount numeric(18, 2) NOT NULL DEFAULT 0,
    max_amount numeric(18, 2) NOT NULL,
    currency text NOT NULL DEFAULT 'USD',
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_products_pkey PRIMARY KEY (id),
    CONSTRAINT credit_products_code_key UNIQUE (code),
    CONSTRAINT credit_products_kind_check
        CHECK (kind IN ('CREDIT_CARD', 'PERSONAL_LOAN', 'MORTGAGE', 'AUTO_LOAN')),
    CONSTRAINT credit_products_rate_check CHECK (annual_rate_percent BETWEEN 0 AND 100),
    CONSTRAINT credit_products_amounts_check CHECK (min_amount >= 0 AND max_amount >= min_amount),
    CONSTRAINT credit_products_currency_shape CHECK (currency ~ '^[A-Z]{3}$')
);
COMMENT ON TABLE public.credit_products IS 'Credit cards and loans on offer (public catalogue)';

CREATE TRIGGER credit_products_set_updated_at
    BEFORE UPDATE ON public.credit_products
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE public.credit_product_applications (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id text NOT NULL,
    credit_product_id uuid NOT NULL,
    requested_amount numeric(18, 2) NOT NULL,
    status text NOT NULL DEFAULT 'PENDING',
    decided_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_product_applications_pkey PRIMARY KEY (id),
    CONSTRAINT credit_product_applications_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT credit_product_applications_credit_product_id_fkey FOREIGN KEY (credit_product_id)
        REFERENCES public.credit_products (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    CONSTRAINT credit_product_applications_status_fkey FOREIGN KEY (status)
        REFERENCES public.credit_application_status (value) ON UPDATE CASCADE ON DELETE RESTRICT,
    CONSTRAINT credit_product_applications_amount_check CHECK (requested_amount > 0),
    -- A decision has a time, a pending application has none.
    CONSTRAINT credit_product_applications_decided_check
        CHECK ((status = 'PENDING') = (decided_at IS NULL))
);
COMMENT ON TABLE public.credit_product_applications IS 'A user''s application for a credit product';
CREATE INDEX credit_product_applications_user_id_created_at_idx
    ON public.credit_product_applications (user_id, created_at DESC);
CREATE INDEX credit_product_applications_credit_product_id_idx
    ON public.credit_product_applications (credit_product_id);
CREATE INDEX credit_product_applications_status_idx
    ON public.credit_product_applications (status);

CREATE TRIGGER credit_product_applications_set_updated_at
    BEFORE UPDATE ON public.credit_product_applications
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
