DROP FUNCTION public.set_updated_at();
DROP EXTENSION IF EXISTS citext;
