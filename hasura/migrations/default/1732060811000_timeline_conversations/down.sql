DROP TABLE public.messages;
DROP TABLE public.conversations;
