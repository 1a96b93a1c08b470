CREATE TABLE public.users (
    id text NOT NULL,
    email public.citext NOT NULL,
    name text NOT NULL,
    last_login_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_id_not_blank CHECK (id <> ''),
    CONSTRAINT users_email_shape CHECK (email::text LIKE '%_@_%'),
    CONSTRAINT users_name_not_blank CHECK (btrim(name) <> '')
);
COMMENT ON TABLE public.users IS 'People who can sign in; id is the Cognito user pool sub';
COMMENT ON COLUMN public.users.id IS 'Cognito sub (written by the post-confirmation Lambda)';

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON public.users
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE public.profiles (
    user_id text NOT NULL,
    phone_number text,
    date_of_birth date,
    national_id text,
    address_line text,
    city text,
    country_code text,
    avatar_url text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT profiles_pkey PRIMARY KEY (user_id),
    CONSTRAINT profiles_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT profiles_national_id_key UNIQUE (national_id),
    CONSTRAINT profiles_phone_number_shape CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT profiles_country_code_shape CHECK (country_code ~ '^[A-Z]{2}$')
);
COMMENT ON TABLE public.profiles IS 'Personal details of a user, one row per user';
COMMENT ON COLUMN public.profiles.national_id IS 'Key the credit history in Athena is joined on';

CREATE TRIGGER profiles_set_updated_at
    BEFORE UPDATE ON public.profiles
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
