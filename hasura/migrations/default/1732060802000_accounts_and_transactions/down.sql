DROP TABLE public.transactions;
DROP TABLE public.account_users;
DROP TABLE public.accounts;
