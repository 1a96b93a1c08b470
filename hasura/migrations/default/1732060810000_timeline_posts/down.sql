DROP TABLE public.likes;
DROP TABLE public.replies;
DROP TRIGGER posts_set_expiry ON public.posts;
DROP FUNCTION public.posts_set_expiry();
DROP TABLE public.posts;
DROP TABLE public.post_lifetimes;
