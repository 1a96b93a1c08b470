-- The legacy application's users, as its ORM left them: one row per account, the password
-- as whatever hash the framework of the day wrote (bcrypt, Argon2, PBKDF2, crypt(3) ...).
CREATE TABLE public.users (
    id            bigserial PRIMARY KEY,
    email         varchar(254) NOT NULL,
    username      varchar(150),
    full_name     varchar(200),
    password_hash varchar(255) NOT NULL,
    is_active     boolean NOT NULL DEFAULT true,
    date_joined   timestamptz NOT NULL DEFAULT now(),
    last_login    timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);

COMMENT ON TABLE public.users IS 'Accounts of the legacy application (moved to Cognito by the producer and loader).';
COMMENT ON COLUMN public.users.updated_at IS 'Changed on every update; the producer sends it as the record version.';

CREATE FUNCTION public.users_touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON public.users
    FOR EACH ROW EXECUTE FUNCTION public.users_touch_updated_at();
