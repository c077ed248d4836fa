(self.__BIB_PARTS__=self.__BIB_PARTS__||{})['facet-year']=JSON.parse('{"rows":[[],[],[],[],[],[]],"values":[]}');
