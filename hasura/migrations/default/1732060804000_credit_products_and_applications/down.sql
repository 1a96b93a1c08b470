DROP TABLE public.credit_product_applications;
DROP TABLE public.credit_products;
DROP TABLE public.credit_application_status;
