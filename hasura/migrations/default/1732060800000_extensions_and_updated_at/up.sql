-- citext gives users.email case-insensitive equality and uniqueness (a trusted extension on
-- PostgreSQL 13+, so it installs on RDS without the rds_superuser role).
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;

-- One trigger function keeps every table's updated_at honest, whoever writes the row
-- (GraphQL mutations, Lambdas, psql).
CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION public.set_updated_at() IS 'BEFORE UPDATE trigger: stamps updated_at with now()';
