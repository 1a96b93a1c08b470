DROP TABLE public.profiles;
DROP TABLE public.users;
