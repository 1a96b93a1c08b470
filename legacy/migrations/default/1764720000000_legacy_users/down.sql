DROP TRIGGER IF EXISTS users_touch_updated_at ON public.users;
DROP FUNCTION IF EXISTS public.users_touch_updated_at();
DROP TABLE IF EXISTS public.users;
